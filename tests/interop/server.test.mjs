// The REST catalog server driven by an independent client, iceberg-js: pwsh starts the local Hub with its sample
// datasets, a catalog of their tables and Start-FacebergServer; iceberg-js then lists, loads (ETag, 304), commits,
// meets 409 on a stale requirement, creates and drops a namespace, is refused without the token, and loads 64 times
// in parallel. icebird, another independent reader, then reads the metadata location iceberg-js loaded (its data
// files hf:// URIs served by the local Hub) and returns the rows Read-FacebergTable returns. No answer may contain
// the server's Hub token. Needs the built module (out/Faceberg); runs when it exists or FACEBERG_INTEROP=require.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { IcebergRestCatalog } from 'iceberg-js'
import { parseJsonLossless } from './json.mjs'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const manifest = join(repoRoot, 'out', 'Faceberg', 'Faceberg.psd1')
const skip = !existsSync(manifest) && process.env.FACEBERG_INTEROP !== 'require' ? 'the module is not built (out/Faceberg)' : false
const clientToken = 'interop-client-token'
const dumpScript = join(repoRoot, 'tests', 'interop', 'dump.mjs')
// The table icebird reads: its data columns are a string and a long, which both readers return exactly.
const readTable = 'movie_reviews_default'

const script = `
$ErrorActionPreference = 'Stop'
Import-Module '${manifest.replaceAll("'", "''")}'
$root = New-Item (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))) -ItemType Directory
Set-Location $root
$hub = Start-FacebergLocalHub -Path ./hub -Sample -SetEnvironment
Set-Content ./faceberg.yml "catalog:\`n  name: interop\`ndatasets:\`n  - name: iris\`n    repo: demo/iris\`n  - name: movie_reviews\`n    repo: demo/movie-reviews\`n"
$null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
$server = Start-FacebergServer -ClientToken '${clientToken}' -WarningAction SilentlyContinue
$tables = @((Get-FacebergTable).Name)
$rows = @(Read-FacebergTable ${readTable} | ForEach-Object { "$($_.label)|$($_.text)" })
[Console]::Out.WriteLine((@{ endpoint = $server.Endpoint; hubToken = $env:HF_TOKEN; hubEndpoint = $env:HF_ENDPOINT; tables = $tables; rows = $rows } | ConvertTo-Json -Compress))
$null = [Console]::In.ReadLine()
$server | Stop-FacebergServer
$hub | Stop-FacebergLocalHub
Remove-Item $root -Recurse -Force -ErrorAction Ignore
`

describe('Start-FacebergServer with iceberg-js', { skip }, () => {
  /** @type {import('node:child_process').ChildProcess} */
  let shell
  /** @type {{ endpoint: string, hubToken: string, hubEndpoint: string, tables: string[], rows: string[] }} */
  let started
  /** Every raw answer body, to look for the Hub token. */
  const bodies = []
  const recordingFetch = async (input, init) => {
    const response = await fetch(input, init)
    bodies.push([...response.headers].join('\n') + '\n' + await response.clone().text())
    return response
  }
  let catalog

  before(async () => {
    // A script file, not -Command -: the script itself reads stdin to learn when to stop.
    const file = join(mkdtempSync(join(tmpdir(), 'faceberg-server-')), 'serve.ps1')
    writeFileSync(file, script)
    shell = spawn('dotnet', ['pwsh', '-NoProfile', '-NonInteractive', '-File', file], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: shell.stdout })
    started = await new Promise((resolve, reject) => {
      shell.on('exit', code => reject(new Error(`pwsh exited with ${code} before the server started`)))
      lines.on('line', line => { if (line.startsWith('{')) resolve(JSON.parse(line)) })
    })
    catalog = new IcebergRestCatalog({ baseUrl: started.endpoint, auth: { type: 'bearer', token: clientToken }, fetch: recordingFetch })
  }, { timeout: 300_000 })

  after(async () => {
    if (!shell) return
    shell.stdin.end('\n')
    await new Promise(resolve => shell.on('close', resolve))
  })

  it('lists every table of the catalog', async () => {
    const { identifiers } = await catalog.listTables({ namespace: ['default'] })
    assert.deepEqual(identifiers.map(i => i.name).sort(), [...started.tables].sort())
  })

  it('loads a table with an ETag, and a matching If-None-Match gets 304', async () => {
    const id = { namespace: ['default'], name: started.tables[0] }
    const loaded = await catalog.loadTableResult(id)
    assert.match(loaded['metadata-location'], /\/metadata\/v\d+\.metadata\.json$/)
    assert.equal(loaded.config['hf.endpoint'], started.hubEndpoint.replace(/\/$/, ''))
    assert.ok(loaded.etag)
    assert.equal(await catalog.loadTableResult(id, { ifNoneMatch: loaded.etag }), null)
  })

  it('commits a property the next load shows, and a stale requirement gets 409', async () => {
    const id = { namespace: ['default'], name: started.tables[0] }
    const before = await catalog.loadTable(id)
    await catalog.commitTable(id, {
      requirements: [{ type: 'assert-table-uuid', uuid: before['table-uuid'] }],
      updates: [{ action: 'set-properties', updates: { 'interop.comment': 'from iceberg-js' } }],
    })
    const after = await catalog.loadTable(id)
    assert.equal(after.properties['interop.comment'], 'from iceberg-js')
    await assert.rejects(catalog.commitTable(id, {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 1 }],
      updates: [{ action: 'set-properties', updates: { 'interop.comment': 'lost' } }],
    }), e => e.status === 409)
  })

  it('creates and drops a namespace', async () => {
    await catalog.createNamespace({ namespace: ['interop_ns'] }, { properties: { owner: 'node' } })
    assert.equal(await catalog.namespaceExists({ namespace: ['interop_ns'] }), true)
    await catalog.dropNamespace({ namespace: ['interop_ns'] })
    assert.equal(await catalog.namespaceExists({ namespace: ['interop_ns'] }), false)
  })

  it('is refused without the token', async () => {
    const anonymous = new IcebergRestCatalog({ baseUrl: started.endpoint, fetch: recordingFetch })
    await assert.rejects(anonymous.listNamespaces(), e => e.status === 401)
  })

  it('answers 64 parallel loads', async () => {
    const id = { namespace: ['default'], name: started.tables[0] }
    const loads = await Promise.all(Array.from({ length: 64 }, () => catalog.loadTableResult(id)))
    assert.equal(new Set(loads.map(l => l['metadata-location'])).size, 1)
  })

  it('icebird reads the loaded metadata location and returns the rows Read-FacebergTable returns', async () => {
    assert.ok(started.tables.includes(readTable))
    const loaded = await catalog.loadTableResult({ namespace: ['default'], name: readTable })
    const location = /^(.*)\/metadata\/([^/]+\.metadata\.json)$/.exec(loaded['metadata-location'])
    assert.ok(location, `unexpected metadata location ${loaded['metadata-location']}`)
    // dump.mjs maps the data files' hf:// URIs to the Hub endpoint the server's loadTable config names.
    const { code, stdout, stderr } = await new Promise(resolve => execFile(process.execPath,
      [dumpScript, location[1], '--metadata', location[2]],
      { env: { ...process.env, HF_ENDPOINT: loaded.config['hf.endpoint'], HF_TOKEN: started.hubToken }, maxBuffer: 64 << 20 },
      (error, out, err) => resolve({ code: error ? error.code : 0, stdout: out, stderr: err })))
    assert.equal(code, 0, `icebird failed: ${stderr}`)
    const dump = parseJsonLossless(stdout)
    assert.equal(String(dump.currentSnapshotId), String(loaded.metadata['current-snapshot-id']))
    assert.ok(started.rows.length > 0)
    assert.deepEqual(dump.rows.map(r => `${r.label}|${r.text}`).sort(), [...started.rows].sort())
  })

  it('never answers with the Hub token', () => {
    assert.ok(started.hubToken)
    assert.ok(bodies.length > 64)
    for (const body of bodies) assert.ok(!body.includes(started.hubToken))
  })
})
