// A fetch() that lets icebird and hyparquet (which only speak fetch) read the locations Faceberg
// writes: local files (file:// URLs), hf:// URIs (mapped to the Hub's resolve endpoint), and any
// prefix the caller maps elsewhere. Range requests are honoured for local files and passed through
// for HTTP, because hyparquet reads Parquet footers and column chunks by byte range.

import { open, stat } from 'node:fs/promises'
import { isAbsolute, resolve as resolvePath } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const DEFAULT_HF_ENDPOINT = 'https://huggingface.co'

/**
 * Parses a `--map PREFIX=TARGET` argument. TARGET is a URL (http:, https:, file:) or a local
 * directory, which is turned into a file:// URL.
 * @param {string} spec
 * @returns {{ prefix: string, target: string }}
 */
export function parseMapping(spec) {
  const eq = spec.indexOf('=')
  if (eq <= 0 || eq === spec.length - 1) {
    throw new Error(`--map expects PREFIX=TARGET, got ${JSON.stringify(spec)}`)
  }
  const prefix = trimTrailingSlash(spec.slice(0, eq))
  const rawTarget = spec.slice(eq + 1)
  const target = hasScheme(rawTarget) ? rawTarget : pathToFileURL(resolvePath(rawTarget)).href
  return { prefix, target: trimTrailingSlash(target) }
}

/**
 * Turns a table location given on the command line into the URL icebird should use.
 * @param {string} location local path, file:// URL, hf:// URI or http(s) URL
 * @returns {string}
 */
export function locationToUrl(location) {
  const url = hasScheme(location) ? location : pathToFileURL(resolvePath(location)).href
  return trimTrailingSlash(url)
}

/**
 * Maps `hf://datasets/<repo>@<revision>/<path>` to `<endpoint>/datasets/<repo>/resolve/<revision>/<path>`.
 * Without `@<revision>` the repo id is the first two segments and the revision is `main`.
 * The revision may arrive percent-encoded (`refs%2Fconvert%2Fparquet`, as huggingface_hub writes
 * it); it is sent encoded as one path segment, and each path segment is percent-encoded.
 * @param {string} hfUri
 * @param {string} endpoint
 * @returns {string}
 */
export function hfUriToHttp(hfUri, endpoint) {
  const match = /^hf:\/\/(datasets|models|spaces)\/(.+)$/.exec(hfUri)
  if (!match) throw new Error(`unsupported hf:// URI (expected hf://datasets/<repo>@<revision>/<path>): ${hfUri}`)
  const [, kind, rest] = match
  let repo, revision, path
  const at = rest.indexOf('@')
  if (at >= 0) {
    repo = rest.slice(0, at)
    const afterAt = rest.slice(at + 1)
    const slash = afterAt.indexOf('/')
    revision = slash >= 0 ? afterAt.slice(0, slash) : afterAt
    path = slash >= 0 ? afterAt.slice(slash + 1) : ''
  } else {
    const segments = rest.split('/')
    repo = segments.slice(0, 2).join('/')
    revision = 'main'
    path = segments.slice(2).join('/')
  }
  if (!repo || !revision) throw new Error(`hf:// URI lacks a repo or revision: ${hfUri}`)
  const encodedRevision = encodeURIComponent(safeDecode(revision))
  const encodedPath = path.split('/').map(segment => encodeURIComponent(segment)).join('/')
  return `${trimTrailingSlash(endpoint)}/${kind}/${repo}/resolve/${encodedRevision}/${encodedPath}`
}

/**
 * Builds the fetch replacement.
 * @param {object} [options]
 * @param {{ prefix: string, target: string }[]} [options.mappings] applied before hf:// mapping, longest prefix first
 * @param {string} [options.hfEndpoint] defaults to https://huggingface.co, like huggingface_hub
 * @param {string} [options.hfToken] sent as a Bearer token only to the endpoint's host
 * @param {typeof fetch} [options.baseFetch] the fetch that serves http(s) URLs
 * @param {(url: string) => void} [options.onRequest] observes every resolved URL (for tests and diagnostics)
 * @returns {typeof fetch}
 */
export function createFetch({ mappings = [], hfEndpoint, hfToken, baseFetch = globalThis.fetch, onRequest } = {}) {
  const endpoint = hfEndpoint || DEFAULT_HF_ENDPOINT
  const endpointHost = new URL(endpoint).host
  const ordered = [...mappings].sort((a, b) => b.prefix.length - a.prefix.length)

  /** @type {typeof fetch} */
  async function shimFetch(input, init = {}) {
    const request = input instanceof Request ? input : undefined
    const originalUrl = request ? request.url : String(input)
    const headers = new Headers(request ? request.headers : undefined)
    for (const [key, value] of new Headers(init.headers)) headers.set(key, value)
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase()

    const url = resolveUrl(originalUrl)
    onRequest?.(url)

    if (url.startsWith('file:')) return serveFile(url, method, headers)

    if (hfToken && !headers.has('authorization') && sameHost(url, endpointHost)) {
      headers.set('authorization', `Bearer ${hfToken}`)
    }
    const { headers: _ignored, ...rest } = init
    return baseFetch(request ? new Request(url, request) : url, { ...rest, method, headers })
  }

  /** @param {string} url */
  function resolveUrl(url) {
    let current = url
    for (const { prefix, target } of ordered) {
      if (current === prefix || current.startsWith(prefix + '/')) {
        current = target + current.slice(prefix.length)
        break
      }
    }
    if (current.startsWith('hf://')) current = hfUriToHttp(current, endpoint)
    return current
  }

  shimFetch.resolveUrl = resolveUrl
  return shimFetch
}

/**
 * Replaces globalThis.fetch (icebird and hyparquet call the global) and returns a restore function.
 * @param {Parameters<typeof createFetch>[0]} options
 * @returns {() => void}
 */
export function installFetch(options) {
  const previous = globalThis.fetch
  globalThis.fetch = createFetch({ baseFetch: previous, ...options })
  return () => { globalThis.fetch = previous }
}

/**
 * Parses a single-range `Range: bytes=…` header against a file size.
 * @param {string | null} header
 * @param {number} size
 * @returns {{ start: number, end: number } | null | 'unsatisfiable'} end is inclusive; null = whole file
 */
export function parseRange(header, size) {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return null
  let start, end
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
    if (match[2] !== '' && Number(match[2]) < start) return null
  }
  if (start >= size) return 'unsatisfiable'
  return { start, end }
}

/**
 * @param {string} url
 * @param {string} method
 * @param {Headers} headers
 * @returns {Promise<Response>}
 */
async function serveFile(url, method, headers) {
  const path = fileURLToPath(url)
  let size
  try {
    const info = await stat(path)
    if (!info.isFile()) return new Response(`not a file: ${path}`, { status: 404, statusText: 'Not Found' })
    size = info.size
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      return new Response(`no such file: ${path}`, { status: 404, statusText: 'Not Found' })
    }
    throw error
  }

  const range = parseRange(headers.get('range'), size)
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, statusText: 'Range Not Satisfiable', headers: { 'content-range': `bytes */${size}` } })
  }
  const start = range ? range.start : 0
  const length = range ? range.end - range.start + 1 : size
  const responseHeaders = new Headers({ 'content-length': String(length), 'accept-ranges': 'bytes' })
  if (range) responseHeaders.set('content-range', `bytes ${range.start}-${range.end}/${size}`)
  const status = range ? 206 : 200
  const statusText = range ? 'Partial Content' : 'OK'
  if (method === 'HEAD') return new Response(null, { status, statusText, headers: responseHeaders })

  const buffer = Buffer.alloc(length)
  const handle = await open(path, 'r')
  try {
    let read = 0
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, start + read)
      if (bytesRead === 0) break
      read += bytesRead
    }
  } finally {
    await handle.close()
  }
  return new Response(buffer, { status, statusText, headers: responseHeaders })
}

/** @param {string} url @param {string} host */
function sameHost(url, host) {
  try {
    return new URL(url).host === host
  } catch {
    return false
  }
}

/** @param {string} value */
function hasScheme(value) {
  // A Windows drive letter (C:\…) is a path, not a scheme.
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value) && !isAbsolute(value) && !/^[a-zA-Z]:[\\/]/.test(value)
}

/** @param {string} value */
function trimTrailingSlash(value) {
  return value.length > 1 && value.endsWith('/') && !value.endsWith('://') ? value.slice(0, -1) : value
}

/** @param {string} value */
function safeDecode(value) {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
