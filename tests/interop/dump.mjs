#!/usr/bin/env node
// Reads an Iceberg table with icebird (and hyparquet underneath) — software independent of
// Faceberg — and prints what it sees as one JSON document: the table metadata, every snapshot's
// manifest list and manifest entries, and the rows of one snapshot.
//
// usage: node dump.mjs <table-location> [--rows N] [--snapshot ID] [--metadata vN.metadata.json]
//                      [--map PREFIX=TARGET]... [--indent]
//
// Environment: HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN for hf:// locations.
// Exit code 0 with the document on stdout, 1 with a message on stderr when icebird fails,
// 2 for bad arguments.

import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { avroMetadata, avroRead, icebergLatestVersion, icebergManifests, icebergMetadata, icebergRead } from 'icebird'
import { translateS3Url } from 'icebird/src/fetch.js'
import { installFetch, locationToUrl, parseMapping } from './fetch-shim.mjs'
import { parseJsonLossless, toJson } from './json.mjs'

/**
 * Dumps a table through icebird. The global fetch must already serve the table's URLs
 * (see installFetch).
 * @param {object} options
 * @param {string} options.tableUrl table location as a URL
 * @param {string} [options.metadataFile] e.g. v3.metadata.json; default: what version-hint.text names
 * @param {bigint} [options.snapshotId] snapshot whose rows are read; default: the current one
 * @param {number} [options.rowLimit] read at most this many rows (0 = none); default: all
 * @returns {Promise<object>}
 */
export async function dumpTable({ tableUrl, metadataFile, snapshotId, rowLimit = Infinity }) {
  if (metadataFile === undefined) {
    const hint = `${tableUrl}/metadata/version-hint.text`
    const version = await icebergLatestVersion({ tableUrl }).catch(error => {
      throw new Error(`${error.message} (reading ${hint})`)
    })
    metadataFile = `${version}.metadata.json`
  }
  const icebirdMetadata = await icebergMetadata({ tableUrl, metadataFileName: metadataFile })
  const metadata = await fetchExactMetadata(tableUrl, metadataFile)

  const snapshots = metadata.snapshots ?? []
  const icebirdSnapshotIds = matchSnapshotIds(snapshots, icebirdMetadata.snapshots ?? [])
  const currentSnapshotId = normaliseSnapshotId(metadata['current-snapshot-id'])

  const dumpedSnapshots = []
  for (const snapshot of snapshots) {
    const id = BigInt(snapshot['snapshot-id'])
    const asSeenByIcebird = { ...icebirdMetadata, 'current-snapshot-id': icebirdSnapshotIds.get(id) }
    const manifestList = await readAvroFile(snapshot['manifest-list'])
    const manifests = []
    for (const { url, entries } of await icebergManifests(asSeenByIcebird)) {
      const { header } = await readAvroFile(url)
      manifests.push({ path: url, header, entries })
    }
    dumpedSnapshots.push({ ...snapshot, manifestListFile: manifestList, manifests })
  }

  const rowsSnapshotId = snapshotId ?? currentSnapshotId
  let rows = []
  if (rowsSnapshotId !== null && rowLimit > 0) {
    const snapshot = dumpedSnapshots.find(s => BigInt(s['snapshot-id']) === rowsSnapshotId)
    if (!snapshot) throw new Error(`snapshot ${rowsSnapshotId} is not in ${metadataFile}`)
    const liveDataFiles = snapshot.manifests
      .flatMap(m => m.entries)
      .filter(e => e.status !== 2 && !e.data_file.content)
    // icebird refuses to read a snapshot without data files; such a snapshot simply has no rows.
    if (liveDataFiles.length > 0) {
      rows = await icebergRead({
        tableUrl,
        metadata: { ...icebirdMetadata, 'current-snapshot-id': icebirdSnapshotIds.get(rowsSnapshotId) },
        rowEnd: rowLimit,
      })
    }
  }

  const currentSchema = (metadata.schemas ?? []).find(s => s['schema-id'] === metadata['current-schema-id']) ?? null
  const defaultSpec = (metadata['partition-specs'] ?? []).find(s => s['spec-id'] === metadata['default-spec-id']) ?? null
  return {
    tableUrl,
    metadataFile,
    formatVersion: metadata['format-version'],
    tableUuid: metadata['table-uuid'],
    location: metadata.location,
    currentSnapshotId,
    currentSchema,
    defaultPartitionSpec: defaultSpec,
    properties: metadata.properties ?? {},
    metadata,
    snapshots: dumpedSnapshots,
    rowsSnapshotId,
    rows,
  }
}

/**
 * The metadata JSON parsed without rounding 64-bit ids (icebird's own copy is parsed with
 * JSON.parse and is what icebird navigates by).
 * @param {string} tableUrl
 * @param {string} metadataFile
 */
async function fetchExactMetadata(tableUrl, metadataFile) {
  const url = translateS3Url(`${tableUrl}/metadata/${metadataFile}`)
  const response = await fetch(url)
  if (!response.ok) throw new Error(`failed to get ${url}: ${response.status} ${response.statusText}`)
  return parseJsonLossless(await response.text())
}

/**
 * icebird selects snapshots by comparing JSON.parse'd ids, which are rounded doubles. Returns
 * each exact id's icebird form, and refuses tables where rounding makes two ids equal, since
 * icebird would then read the wrong snapshot.
 * @param {any[]} exactSnapshots
 * @param {any[]} icebirdSnapshots
 * @returns {Map<bigint, number>}
 */
function matchSnapshotIds(exactSnapshots, icebirdSnapshots) {
  const result = new Map()
  const seen = new Map()
  exactSnapshots.forEach((snapshot, i) => {
    const exact = BigInt(snapshot['snapshot-id'])
    const rounded = icebirdSnapshots[i]?.['snapshot-id']
    if (rounded !== Number(exact)) {
      throw new Error(`icebird's snapshot list differs from the metadata file at index ${i}`)
    }
    if (seen.has(rounded)) {
      throw new Error(`snapshot ids ${seen.get(rounded)} and ${exact} are the same double; icebird cannot tell them apart`)
    }
    seen.set(rounded, exact)
    result.set(exact, rounded)
  })
  return result
}

/** @param {unknown} id */
function normaliseSnapshotId(id) {
  if (id === undefined || id === null) return null
  const value = BigInt(/** @type {number | bigint} */ (id))
  // Spec v1 writers used -1 for "no current snapshot".
  return value < 0n ? null : value
}

/**
 * Reads an Avro container file with icebird's Avro reader: its header metadata (schema,
 * partition-spec, format-version, content, …) and its records.
 * @param {string} url
 */
async function readAvroFile(url) {
  const response = await fetch(translateS3Url(url))
  if (!response.ok) throw new Error(`failed to get ${url}: ${response.status} ${response.statusText}`)
  const buffer = await response.arrayBuffer()
  const reader = { view: new DataView(buffer), offset: 0 }
  const { metadata, syncMarker } = avroMetadata(reader)
  const records = avroRead({ reader, metadata, syncMarker })
  return { path: url, header: metadata, records }
}

/**
 * @param {string[]} argv
 */
export function parseCommandLine(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rows: { type: 'string' },
      snapshot: { type: 'string' },
      metadata: { type: 'string' },
      map: { type: 'string', multiple: true },
      indent: { type: 'boolean' },
    },
  })
  if (positionals.length !== 1) throw new Error('expected exactly one table location')
  let rowLimit = Infinity
  if (values.rows !== undefined) {
    if (!/^\d+$/.test(values.rows)) throw new Error(`--rows expects a non-negative integer, got ${values.rows}`)
    rowLimit = Number(values.rows)
  }
  let snapshotId
  if (values.snapshot !== undefined) {
    if (!/^-?\d+$/.test(values.snapshot)) throw new Error(`--snapshot expects an integer id, got ${values.snapshot}`)
    snapshotId = BigInt(values.snapshot)
  }
  if (values.metadata !== undefined && !/^[^/\\]+\.metadata\.json$/.test(values.metadata)) {
    throw new Error(`--metadata expects a file name like v3.metadata.json, got ${values.metadata}`)
  }
  const mappings = []
  for (const spec of values.map ?? []) {
    const mapping = parseMapping(spec)
    mappings.push(mapping)
    // icebird rewrites s3:// and s3a:// to https://<bucket>.s3.amazonaws.com/ before fetching.
    if (/^s3a?:\/\//.test(mapping.prefix)) {
      mappings.push({ prefix: translateS3Url(mapping.prefix), target: mapping.target })
    }
  }
  return {
    tableUrl: locationToUrl(positionals[0]),
    rowLimit,
    snapshotId,
    metadataFile: values.metadata,
    mappings,
    indent: values.indent ? '  ' : '',
  }
}

async function main() {
  let options
  try {
    options = parseCommandLine(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`dump.mjs: ${error.message}\n`)
    process.stderr.write('usage: node dump.mjs <table-location> [--rows N] [--snapshot ID] [--metadata vN.metadata.json] [--map PREFIX=TARGET]... [--indent]\n')
    process.exitCode = 2
    return
  }
  installFetch({
    mappings: options.mappings,
    hfEndpoint: process.env.HF_ENDPOINT,
    hfToken: process.env.HF_TOKEN,
  })
  try {
    const dump = await dumpTable(options)
    process.stdout.write(toJson(dump, options.indent) + '\n')
  } catch (error) {
    process.stderr.write(`dump.mjs: reading ${options.tableUrl} failed: ${error?.stack ?? error}\n`)
    process.exitCode = 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
