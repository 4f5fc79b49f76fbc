// A table with position and equality delete files written by software independent of Faceberg
// (deletes-table.mjs: hyparquet-writer for Parquet, icebird's Avro writer for manifests): icebird reads
// the rows the spec's delete rules leave, and Read-FacebergTable (pwsh, the built module) returns the same
// rows — for every column, for projections without the equality columns, with -Filter, -First and
// -SnapshotId — while Get-FacebergTable counts them exactly. The pwsh half needs the built module
// (out/Faceberg); it runs when that exists or FACEBERG_INTEROP=require.

import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseJsonLossless } from './json.mjs'
import { expectedRows, totalRecords, writeDeletesTable } from './deletes-table.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(here, '..', '..')
const manifest = join(repoRoot, 'out', 'Faceberg', 'Faceberg.psd1')
const skipPwsh = !existsSync(manifest) && process.env.FACEBERG_INTEROP !== 'require' ? 'the module is not built (out/Faceberg)' : false

/** @param {string} file @param {string[]} args */
function run(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: repoRoot, maxBuffer: 64 << 20, timeout: 300_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(stdout))
  })
}

/** Rows of icebird's dump of the table, for `snapshot` or the current one. */
async function icebird(folder, snapshot) {
  const args = [join(here, 'dump.mjs'), folder, ...(snapshot ? ['--snapshot', String(snapshot)] : [])]
  return parseJsonLossless(await run(process.execPath, args))
}

/** Rows as sorted lines, values as text: the same for bigint, number and string ids. */
const lines = (rows, columns) => rows.map(r => columns.map(c => `${c}=${r[c] ?? 'null'}`).join('|')).sort()

describe('a table with delete files written by hyparquet-writer and icebird\'s Avro writer', () => {
  /** The catalog folder; the table lives inside it, as catalog.json entries must. */
  let catalog
  let folder
  before(() => {
    catalog = join(mkdtempSync(join(tmpdir(), 'faceberg-deletes-')), '.faceberg')
    folder = join(catalog, 'metadata', 'default', 'bunnies')
    writeDeletesTable(folder)
  })

  it('reads, through icebird, the rows the delete rules leave', async () => {
    const dump = await icebird(folder)
    assert.deepEqual(lines(dump.rows, ['id', 'name', 'color']), lines(expectedRows, ['id', 'name', 'color']))
    assert.equal(Number(dump.snapshots.at(-1).summary['total-records']), totalRecords)
    const live = dump.snapshots.at(-1).manifests.flatMap(m => m.entries).filter(e => e.status !== 2)
    assert.deepEqual(live.map(e => e.data_file.content).sort(), [0, 0, 0, 1, 1, 1, 2])
  })

  describe('through Read-FacebergTable and Get-FacebergTable', { skip: skipPwsh }, () => {
    let faceberg
    before(async () => {
      writeFileSync(join(catalog, 'catalog.json'), JSON.stringify({ 'default.bunnies': 'metadata/default/bunnies' }))
      mkdirSync(join(catalog, '..', 'work'), { recursive: true })
      const script = join(catalog, '..', 'read.ps1')
      writeFileSync(script, `
$ErrorActionPreference = 'Stop'
Import-Module '${manifest.replaceAll("'", "''")}'
$catalog = '${catalog.replaceAll("'", "''")}'
$rows = { param($r) @($r | ForEach-Object { $o = [ordered]@{}; foreach ($p in $_.PSObject.Properties) { $o[$p.Name] = $p.Value }; $o }) }
[ordered]@{
  all = & $rows (Read-FacebergTable bunnies -Catalog $catalog)
  colors = & $rows (Read-FacebergTable bunnies -Catalog $catalog -Property color)
  filtered = & $rows (Read-FacebergTable bunnies -Catalog $catalog -Filter { $_.id -ge 8 })
  first = @(Read-FacebergTable bunnies -Catalog $catalog -First 5).Count
  snapshot3 = & $rows (Read-FacebergTable bunnies -Catalog $catalog -SnapshotId 1003)
  recordCount = (Get-FacebergTable bunnies -Catalog $catalog).RecordCount
} | ConvertTo-Json -Depth 5 -Compress
`)
      faceberg = JSON.parse(await run('dotnet', ['pwsh', '-NoProfile', '-NonInteractive', '-File', script]))
    }, { timeout: 300_000 })

    it('returns the rows icebird returns', async () => {
      const dump = await icebird(folder)
      assert.deepEqual(lines(faceberg.all, ['id', 'name', 'color']), lines(dump.rows, ['id', 'name', 'color']))
    })

    it('applies equality deletes when their columns are not selected', async () => {
      const dump = await icebird(folder)
      assert.deepEqual(faceberg.colors.map(r => Object.keys(r)), dump.rows.map(() => ['color']))
      assert.deepEqual(lines(faceberg.colors, ['color']), lines(dump.rows, ['color']))
    })

    it('applies them together with -Filter and -First', async () => {
      const dump = await icebird(folder)
      assert.deepEqual(lines(faceberg.filtered, ['id', 'name', 'color']),
        lines(dump.rows.filter(r => Number(r.id) >= 8), ['id', 'name', 'color']))
      assert.equal(faceberg.first, 5)
    })

    it('applies the deletes of an earlier snapshot to it', async () => {
      const dump = await icebird(folder, 1003)
      assert.equal(dump.rows.length, 7)
      assert.deepEqual(lines(faceberg.snapshot3, ['id', 'name', 'color']), lines(dump.rows, ['id', 'name', 'color']))
    })

    it('counts the live rows exactly', async () => {
      assert.equal(faceberg.recordCount, (await icebird(folder)).rows.length)
      assert.notEqual(faceberg.recordCount, totalRecords)
    })
  })
})
