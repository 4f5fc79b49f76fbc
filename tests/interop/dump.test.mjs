// Tests for the icebird dump tool: the fetch shim (file://, hf:// mapping, Range, token host
// rule), the lossless JSON helpers, and end-to-end dumps of tables written by Apache Spark and
// the Iceberg Java library (fixtures copied from icebird's repository, MIT; see fixtures/README.md).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createFetch, hfUriToHttp, locationToUrl, parseMapping, parseRange } from './fetch-shim.mjs'
import { parseJsonLossless, toJson } from './json.mjs'
import { parseCommandLine } from './dump.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures')
const dumpScript = join(here, 'dump.mjs')

/**
 * Runs dump.mjs as the C# wrapper does and returns its exit code, stdout and stderr.
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 */
function runDump(args, env = {}) {
  return new Promise(resolve => {
    execFile(process.execPath, [dumpScript, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }))
  })
}

/** @param {string[]} args @param {Record<string, string>} [env] */
async function dump(args, env) {
  const { code, stdout, stderr } = await runDump(args, env)
  assert.equal(code, 0, `dump.mjs failed: ${stderr}`)
  return parseJsonLossless(stdout)
}

/** The fixture tables record s3a:// locations; --map serves them from the fixture folder. */
function fixtureArgs(table) {
  return [join(fixtures, table), '--map', `s3a://hyperparam-iceberg/${table}=${join(fixtures, table)}`]
}

/** @param {string} table @param {string} file */
async function rawMetadata(table, file) {
  return parseJsonLossless(await readFile(join(fixtures, table, 'metadata', file), 'utf8'))
}

/** Starts an HTTP server on the loopback interface; returns its base URL and a close function. */
async function startServer(handler) {
  const server = createServer(handler)
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise(resolve => server.close(resolve)) }
}

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 exact and leaves safe numbers as numbers', () => {
    const value = parseJsonLossless('{"id": 9158179788527662767, "n": -42, "x": 1.5e3, "small": 9007199254740991}')
    assert.equal(value.id, 9158179788527662767n)
    assert.equal(value.n, -42)
    assert.equal(value.x, 1500)
    assert.equal(value.small, 9007199254740991)
  })

  it('decodes strings, arrays, literals and nesting like JSON.parse', () => {
    const text = '{"s":"a\\"b\\u00e9\\\\","a":[true,false,null,{"k":[]}],"e":{}}'
    assert.deepEqual(parseJsonLossless(text), JSON.parse(text))
  })

  it('rejects malformed text', () => {
    assert.throws(() => parseJsonLossless('{"a":1,}'), SyntaxError)
    assert.throws(() => parseJsonLossless('[1] 2'), SyntaxError)
    assert.throws(() => parseJsonLossless('"open'), SyntaxError)
  })
})

describe('toJson', () => {
  it('writes BigInt exactly, bytes as base64, dates as ISO and undefined as null', () => {
    const text = toJson({
      big: 9158179788527662767n,
      bytes: new Uint8Array([0, 1, 255]),
      date: new Date(Date.UTC(2022, 0, 2)),
      missing: undefined,
      nan: NaN,
      ints: new Int32Array([1, 2]),
      map: new Map([['k', 1n]]),
    })
    assert.equal(text,
      '{"big":9158179788527662767,"bytes":"AAH/","date":"2022-01-02T00:00:00.000Z","missing":null,' +
      '"nan":"NaN","ints":[1,2],"map":{"k":1}}')
  })

  it('round-trips through parseJsonLossless', () => {
    const value = { a: [1, 'two', { three: 3n ** 40n }], b: null }
    assert.deepEqual(parseJsonLossless(toJson(value, '  ')), value)
  })
})

describe('hfUriToHttp', () => {
  const endpoint = 'http://127.0.0.1:9000/'

  it('maps a pinned dataset file to the resolve endpoint', () => {
    assert.equal(
      hfUriToHttp('hf://datasets/org/name@0123abcd/data/train-00000-of-00001.parquet', endpoint),
      'http://127.0.0.1:9000/datasets/org/name/resolve/0123abcd/data/train-00000-of-00001.parquet')
  })

  it('keeps a slash-containing revision as one encoded segment and encodes path segments', () => {
    assert.equal(
      hfUriToHttp('hf://datasets/org/name@refs%2Fconvert%2Fparquet/default/train/0000 a#b.parquet', endpoint),
      'http://127.0.0.1:9000/datasets/org/name/resolve/refs%2Fconvert%2Fparquet/default/train/0000%20a%23b.parquet')
  })

  it('defaults the revision to main', () => {
    assert.equal(hfUriToHttp('hf://datasets/org/name/x.parquet', endpoint),
      'http://127.0.0.1:9000/datasets/org/name/resolve/main/x.parquet')
  })

  it('rejects other hf:// forms', () => {
    assert.throws(() => hfUriToHttp('hf://buckets/x', endpoint), /unsupported hf:\/\/ URI/)
  })
})

describe('parseRange', () => {
  it('understands closed, open and suffix ranges', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 })
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 })
    assert.deepEqual(parseRange('bytes=-8', 100), { start: 92, end: 99 })
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 })
  })

  it('treats absent or unparsable ranges as the whole file and past-the-end as unsatisfiable', () => {
    assert.equal(parseRange(null, 100), null)
    assert.equal(parseRange('items=0-1', 100), null)
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable')
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable')
  })
})

describe('command line', () => {
  it('turns local paths into file URLs and s3 mappings into both their forms', () => {
    const options = parseCommandLine(['some/table/', '--rows', '7', '--snapshot', '9158179788527662767',
      '--map', 's3a://bucket/t=local/dir', '--metadata', 'v2.metadata.json'])
    assert.equal(options.tableUrl, pathToFileURL(join(process.cwd(), 'some/table')).href)
    assert.equal(options.rowLimit, 7)
    assert.equal(options.snapshotId, 9158179788527662767n)
    assert.equal(options.metadataFile, 'v2.metadata.json')
    const target = pathToFileURL(join(process.cwd(), 'local/dir')).href
    assert.deepEqual(options.mappings, [
      { prefix: 's3a://bucket/t', target },
      { prefix: 'https://bucket.s3.amazonaws.com/t', target },
    ])
  })

  it('rejects bad arguments with exit code 2', async () => {
    for (const args of [[], ['a', 'b'], ['t', '--rows', '-1'], ['t', '--metadata', '../x.json'], ['t', '--map', 'nothing']]) {
      const { code, stderr } = await runDump(args)
      assert.equal(code, 2, `expected a usage error for ${args.join(' ')}`)
      assert.match(stderr, /usage: node dump\.mjs/)
    }
  })

  it('keeps URLs as given and parses mappings to URLs', () => {
    assert.equal(locationToUrl('hf://datasets/o/n@abc/tables/t/'), 'hf://datasets/o/n@abc/tables/t')
    assert.deepEqual(parseMapping('hf://datasets/o/n@abc=http://127.0.0.1:1/x/'),
      { prefix: 'hf://datasets/o/n@abc', target: 'http://127.0.0.1:1/x' })
  })
})

describe('createFetch', () => {
  const parquetFile = join(fixtures, 'spark/rename_column/data/id_bucket=0/date=2022-01-01/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00001.parquet')
  const fileUrl = pathToFileURL(parquetFile).href

  it('serves local files whole, by range, by suffix range and by HEAD', async () => {
    const bytes = await readFile(parquetFile)
    const shim = createFetch()

    const whole = await shim(fileUrl)
    assert.equal(whole.status, 200)
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes)

    const part = await shim(fileUrl, { headers: { Range: 'bytes=4-11' } })
    assert.equal(part.status, 206)
    assert.equal(part.headers.get('content-range'), `bytes 4-11/${bytes.length}`)
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(4, 12))

    const tail = await shim(fileUrl, { headers: new Headers({ range: 'bytes=-8' }) })
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(bytes.length - 8))
    assert.equal(Buffer.from(await (await shim(fileUrl, { headers: { Range: 'bytes=-4' } })).arrayBuffer()).toString(), 'PAR1')

    const head = await shim(fileUrl, { method: 'HEAD' })
    assert.equal(head.headers.get('content-length'), String(bytes.length))

    assert.equal((await shim(fileUrl, { headers: { Range: `bytes=${bytes.length}-` } })).status, 416)
    assert.equal((await shim(fileUrl + '.missing')).status, 404)
  })

  it('applies the longest matching prefix mapping, only at a path boundary', () => {
    const shim = createFetch({
      mappings: [parseMapping('s3a://b=/tmp/one'), parseMapping('s3a://b/t=/tmp/two')],
    })
    assert.equal(shim.resolveUrl('s3a://b/t/x.avro'), 'file:///tmp/two/x.avro')
    assert.equal(shim.resolveUrl('s3a://b/other'), 'file:///tmp/one/other')
    assert.equal(shim.resolveUrl('s3a://b/tt/x'), 'file:///tmp/one/tt/x')
    assert.equal(shim.resolveUrl('s3a://bb/x'), 's3a://bb/x')
  })

  describe('over HTTP', () => {
    /** @type {{ url: string, close: () => Promise<void> }} */
    let hub
    /** @type {{ url: string, close: () => Promise<void> }} */
    let other
    /** @type {{ url: string, headers: import('node:http').IncomingHttpHeaders }[]} */
    const seen = []

    before(async () => {
      const record = (req, res) => {
        seen.push({ url: req.url, headers: req.headers })
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ url: req.url }))
      }
      other = await startServer(record)
      hub = await startServer((req, res) => {
        if (req.url === '/redirect-away') {
          seen.push({ url: req.url, headers: req.headers })
          res.statusCode = 302
          res.setHeader('location', `${other.url}/landed`)
          res.end()
          return
        }
        record(req, res)
      })
    })

    after(async () => {
      await hub.close()
      await other.close()
    })

    it('sends hf:// requests to the endpoint with the token and the Range header', async () => {
      seen.length = 0
      const shim = createFetch({ hfEndpoint: hub.url, hfToken: 'hf_secret' })
      await shim('hf://datasets/org/name@abc123/data/file.parquet', { headers: { Range: 'bytes=0-3' } })
      assert.equal(seen.length, 1)
      assert.equal(seen[0].url, '/datasets/org/name/resolve/abc123/data/file.parquet')
      assert.equal(seen[0].headers.authorization, 'Bearer hf_secret')
      assert.equal(seen[0].headers.range, 'bytes=0-3')
    })

    it('never sends the token to another host, directly or through a redirect', async () => {
      seen.length = 0
      const shim = createFetch({ hfEndpoint: hub.url, hfToken: 'hf_secret' })
      await shim(`${other.url}/direct`)
      await shim(`${hub.url}/redirect-away`)
      assert.deepEqual(seen.map(s => s.url), ['/direct', '/redirect-away', '/landed'])
      assert.equal(seen[0].headers.authorization, undefined)
      assert.equal(seen[1].headers.authorization, 'Bearer hf_secret')
      assert.equal(seen[2].headers.authorization, undefined)
    })

    it('leaves an explicit Authorization header alone and sends none without a token', async () => {
      seen.length = 0
      await createFetch({ hfEndpoint: hub.url, hfToken: 'hf_secret' })(`${hub.url}/x`, { headers: { Authorization: 'Basic abc' } })
      await createFetch({ hfEndpoint: hub.url })(`${hub.url}/y`)
      assert.equal(seen[0].headers.authorization, 'Basic abc')
      assert.equal(seen[1].headers.authorization, undefined)
    })
  })
})

describe('dump.mjs on a Spark table with a bucket and an identity partition and a renamed column', () => {
  const table = 'spark/rename_column'

  it('reports the metadata facts with exact snapshot ids', async () => {
    const result = await dump(fixtureArgs(table))
    const raw = await rawMetadata(table, 'v3.metadata.json')
    assert.equal(result.metadataFile, 'v3.metadata.json')
    assert.equal(result.formatVersion, 2)
    assert.equal(result.tableUuid, 'd6d0afa0-5fb3-46e8-94c4-8ea619f9bdd2')
    assert.equal(result.location, 's3a://hyperparam-iceberg/spark/rename_column')
    assert.equal(result.currentSnapshotId, 5276958600260276572n)
    assert.deepEqual(result.metadata, raw)
    assert.deepEqual(result.currentSchema.fields.map(f => [f.id, f.name, f.type, f.required]), [
      [1, 'id', 'int', false],
      [2, 'name', 'string', false],
      [3, 'event_date', 'date', false],
      [4, 'price', 'decimal(10, 2)', false],
      [5, 'active', 'boolean', false],
    ])
    assert.deepEqual(result.defaultPartitionSpec.fields.map(f => [f.name, f.transform, f['source-id'], f['field-id']]),
      [['id_bucket', 'bucket[4]', 1, 1000], ['date', 'identity', 3, 1001]])
  })

  it('lists every data file with its partition values, counts and sizes', async () => {
    const result = await dump(fixtureArgs(table))
    assert.equal(result.snapshots.length, 1)
    const [snapshot] = result.snapshots
    assert.equal(snapshot['snapshot-id'], 5276958600260276572n)
    assert.equal(snapshot.manifestListFile.records.length, 1)
    // Iceberg Java names field 504 added_data_files_count; the spec's name is added_files_count.
    assert.equal(snapshot.manifestListFile.records[0].added_data_files_count, 3)
    const entries = snapshot.manifests.flatMap(m => m.entries)
    const files = entries.map(e => ({
      name: e.data_file.file_path.split('/').slice(-3).join('/'),
      partition: e.data_file.partition,
      records: e.data_file.record_count,
      size: e.data_file.file_size_in_bytes,
      status: e.status,
    })).sort((a, b) => a.name.localeCompare(b.name))
    assert.deepEqual(files, [
      { name: 'id_bucket=0/date=2022-01-01/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00001.parquet', partition: { id_bucket: 0, date: '2022-01-01T00:00:00.000Z' }, records: 2, size: 1430, status: 1 },
      { name: 'id_bucket=2/date=2022-01-02/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00003.parquet', partition: { id_bucket: 2, date: '2022-01-02T00:00:00.000Z' }, records: 1, size: 1368, status: 1 },
      { name: 'id_bucket=3/date=null/00000-20-b65939d1-96e1-4d30-a733-aa5264a479aa-00002.parquet', partition: { id_bucket: 3, date: null }, records: 1, size: 1353, status: 1 },
    ])
    // The sizes in the manifest are the sizes of the files on disk.
    for (const entry of entries) {
      const local = join(fixtures, table, 'data', ...entry.data_file.file_path.split('/').slice(-3))
      assert.equal(BigInt((await readFile(local)).length), BigInt(entry.data_file.file_size_in_bytes))
    }
    assert.equal(snapshot.manifests[0].header['partition-spec-id'], '0')
    assert.equal(snapshot.manifests[0].header['format-version'], '2')
    assert.equal(snapshot.manifests[0].header.content, 'data')
  })

  it('reads rows under the current schema (renamed column) and under an older metadata version', async () => {
    const expected = [
      [3, 'Cottontail', null, 0, true],
      [4, 'Thumper', '2022-01-02T00:00:00.000Z', 99999999.99, false],
      [1, 'Flopsy 🐇', '2022-01-01T00:00:00.000Z', 9.99, true],
      [2, 'Mopsy–Naïve', '2022-01-01T00:00:00.000Z', -5, false],
    ]
    const current = await dump(fixtureArgs(table))
    assert.deepEqual(current.rows.map(r => [r.id, r.name, r.event_date, r.price, r.active]), expected)
    const older = await dump([...fixtureArgs(table), '--metadata', 'v2.metadata.json'])
    assert.equal(older.metadataFile, 'v2.metadata.json')
    assert.deepEqual(older.rows.map(r => [r.id, r.name, r.date, r.price, r.active]), expected)
  })

  it('limits rows with --rows and skips them with --rows 0', async () => {
    assert.equal((await dump([...fixtureArgs(table), '--rows', '2'])).rows.length, 2)
    const none = await dump([...fixtureArgs(table), '--rows', '0'])
    assert.deepEqual(none.rows, [])
    assert.equal(none.snapshots[0].manifests[0].entries.length, 3)
  })
})

describe('dump.mjs on a Spark table with several snapshots and position deletes', () => {
  const table = 'spark/bunnies'

  it('dumps every snapshot with summaries and the files each one holds', async () => {
    const result = await dump(fixtureArgs(table))
    const raw = await rawMetadata(table, 'v5.metadata.json')
    assert.deepEqual(result.snapshots.map(s => s['snapshot-id']), raw.snapshots.map(s => s['snapshot-id']))
    assert.deepEqual(result.snapshots.map(s => s.summary.operation), ['append', 'overwrite', 'overwrite'])
    for (const snapshot of result.snapshots) {
      const live = snapshot.manifests.flatMap(m => m.entries).filter(e => e.status !== 2)
      const dataRecords = live.filter(e => e.data_file.content === 0).reduce((n, e) => n + Number(e.data_file.record_count), 0)
      assert.equal(dataRecords, Number(snapshot.summary['total-records']))
      assert.equal(live.filter(e => e.data_file.content === 0).length, Number(snapshot.summary['total-data-files']))
    }
    assert.equal(result.currentSnapshotId, raw['current-snapshot-id'])
    assert.equal(result.rows.length, 20, 'the position delete removes one of 21 rows')
  })

  it('reads an earlier snapshot with --snapshot', async () => {
    const raw = await rawMetadata(table, 'v5.metadata.json')
    const first = raw.snapshots[0]['snapshot-id']
    const result = await dump([...fixtureArgs(table), '--snapshot', String(first)])
    assert.equal(result.rowsSnapshotId, first)
    assert.equal(result.rows.length, 21)
    assert.deepEqual(Object.keys(result.rows[0]), result.currentSchema.fields.map(f => f.name))
  })

  it('fails with a message naming the snapshot that does not exist', async () => {
    const { code, stderr } = await runDump([...fixtureArgs(table), '--snapshot', '123'])
    assert.equal(code, 1)
    assert.match(stderr, /snapshot 123 is not in v5\.metadata\.json/)
  })
})

describe('dump.mjs on an Iceberg Java table with equality deletes', () => {
  it('applies the deletes of the current snapshot', async () => {
    const result = await dump(fixtureArgs('java/bunnies'))
    assert.equal(result.currentSnapshotId, 9158179788527662767n)
    const live = result.snapshots.at(-1).manifests.flatMap(m => m.entries).filter(e => e.status !== 2)
    assert.deepEqual(live.map(e => e.data_file.content).sort(), [0, 0, 1, 2])
    assert.equal(result.rows.length, 15)
    assert.equal(result.rows.filter(r => r['Breed Name'] === 'New Zealand').length, 1)
  })
})

describe('dump.mjs over hf:// through a Hub-like HTTP server', () => {
  /** @type {{ url: string, close: () => Promise<void> }} */
  let hub
  const requests = []
  const token = 'hf_interop_test_token'

  before(async () => {
    hub = await startServer(async (req, res) => {
      requests.push({ url: req.url, range: req.headers.range })
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.statusCode = 401
        res.end('unauthorized')
        return
      }
      const match = /^\/datasets\/org\/tables\/resolve\/abc123\/(.+)$/.exec(req.url)
      if (!match) {
        res.statusCode = 404
        res.end()
        return
      }
      // Serve the fixture folder; reuse the shim's own file responses for Range handling.
      const local = pathToFileURL(join(fixtures, decodeURIComponent(match[1]))).href
      const response = await createFetch()(local, { headers: { range: req.headers.range ?? '' } })
      res.statusCode = response.status
      for (const [key, value] of response.headers) res.setHeader(key, value)
      res.end(Buffer.from(await response.arrayBuffer()))
    })
  })

  after(() => hub.close())

  it('reads the table through the resolve endpoint with ranged requests and keeps the token out of the output', async () => {
    requests.length = 0
    const base = 'hf://datasets/org/tables@abc123/spark/rename_column'
    const { code, stdout, stderr } = await runDump(
      [base, '--map', `s3a://hyperparam-iceberg/spark/rename_column=${base}`],
      { HF_ENDPOINT: hub.url, HF_TOKEN: token })
    assert.equal(code, 0, stderr)
    const result = parseJsonLossless(stdout)
    assert.equal(result.tableUrl, base)
    assert.equal(result.rows.length, 4)
    assert.ok(requests.some(r => r.url === '/datasets/org/tables/resolve/abc123/spark/rename_column/metadata/version-hint.text'))
    assert.ok(requests.some(r => r.url.endsWith('.parquet') && r.range?.startsWith('bytes=')),
      'Parquet files are read by byte range')
    assert.ok(!stdout.includes(token) && !stderr.includes(token))
  })

  it('fails clearly without the token', async () => {
    const base = 'hf://datasets/org/tables@abc123/spark/rename_column'
    const { code, stderr } = await runDump([base], { HF_ENDPOINT: hub.url, HF_TOKEN: '' })
    assert.equal(code, 1)
    assert.match(stderr, /401/)
  })
})
