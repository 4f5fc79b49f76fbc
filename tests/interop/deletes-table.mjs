#!/usr/bin/env node
// Writes an Iceberg v2 table with position and equality delete files using software independent of
// Faceberg: Parquet data and delete files by hyparquet-writer, manifests and manifest lists by icebird's
// Avro writer. Faceberg and icebird then read the same table (deletes.test.mjs, Deletes.Tests.ps1).
//
// usage: node deletes-table.mjs <folder>     (the folder is created; the table's location is its file:// URL)
//
// The table (unpartitioned; id long, name string, color string) over four snapshots:
//   1 (seq 1) appends data-a.parquet: ids 1-6      2 (seq 2) appends data-b.parquet: ids 7-10
//   3 (seq 3) position deletes: data-a rows 1 and 4 (ids 2, 5), data-b row 0 (id 7) — files of earlier
//     snapshots; a second position delete file whose file_path bounds name only a file not in the table
//   4 (seq 4) appends data-c.parquet (ids 11, 8, 12) and, in the same commit, an equality delete file on
//     (id, name) with keys (3, null), (8, 'Hunca'), (99, 'Nobody') and a position delete of data-c row 2.
// By the spec's rules the current snapshot has 7 live rows of 13: ids 1, 4, 6, 9, 10, 11 and data-c's 8.
// (8, 'Hunca') removes data-b's id 8 (sequence 2 < 4) but not data-c's (sequence 4 is not < 4); the
// position delete of the same commit does apply to data-c (4 <= 4). The equality delete file carries no
// Parquet field ids, so readers map its columns by name; the other files carry ids.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ByteWriter, parquetWriteBuffer } from 'hyparquet-writer'
import { avroWrite } from 'icebird'

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'color', required: false, type: 'string' },
  ],
}

/** Live rows of the current snapshot, by id, as the spec's delete rules leave them. */
export const expectedRows = [
  { id: 1n, name: 'Flopsy', color: 'brown' },
  { id: 4n, name: 'Cottontail', color: 'white' },
  { id: 6n, name: 'Benjamin', color: null },
  { id: 8n, name: 'Hunca', color: 'black' },
  { id: 9n, name: 'Tom', color: 'grey' },
  { id: 10n, name: 'Tabitha', color: 'brown' },
  { id: 11n, name: 'Nutkin', color: 'red' },
]

/** Rows before any delete: 13. */
export const totalRecords = 13

const dataA = [[1n, 'Flopsy', 'brown'], [2n, 'Mopsy', null], [3n, null, 'grey'], [4n, 'Cottontail', 'white'], [5n, 'Peter', 'brown'], [6n, 'Benjamin', null]]
const dataB = [[7n, 'Jemima', 'white'], [8n, 'Hunca', null], [9n, 'Tom', 'grey'], [10n, 'Tabitha', 'brown']]
const dataC = [[11n, 'Nutkin', 'red'], [8n, 'Hunca', 'black'], [12n, 'Pigling', 'pink']]

const utf8 = s => new TextEncoder().encode(s)

/** A Parquet file of the table's columns, with field ids when asked. */
function tableParquet(rows, fieldIds = true) {
  return parquetWriteBuffer({
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED', ...(fieldIds ? { field_id: 1 } : {}) },
      { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL', ...(fieldIds ? { field_id: 2 } : {}) },
      { name: 'color', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL', ...(fieldIds ? { field_id: 3 } : {}) },
    ].slice(0, 1 + rows[0].length).map((e, i) => i === 0 ? { ...e, num_children: rows[0].length } : e),
    columnData: rows[0].map((_, c) => ({ name: ['id', 'name', 'color'][c], data: rows.map(r => r[c]) })),
  })
}

/** A position delete file (file_path, pos) with the spec's reserved field ids, rows sorted by path then position. */
function positionDeletes(rows) {
  return parquetWriteBuffer({
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'file_path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED', field_id: 2147483546 },
      { name: 'pos', type: 'INT64', repetition_type: 'REQUIRED', field_id: 2147483545 },
    ],
    columnData: [{ name: 'file_path', data: rows.map(r => r[0]) }, { name: 'pos', data: rows.map(r => r[1]) }],
  })
}

const optional = type => ['null', type]
const field = (name, type, id) => ({ name, type, 'field-id': id })
const bytesMap = (name, keyId, valueId) => optional({
  type: 'array',
  items: { type: 'record', name, fields: [field('key', 'int', keyId), field('value', 'bytes', valueId)] },
})

const manifestEntrySchema = {
  type: 'record',
  name: 'manifest_entry',
  fields: [
    field('status', 'int', 0),
    field('snapshot_id', optional('long'), 1),
    field('sequence_number', optional('long'), 3),
    field('file_sequence_number', optional('long'), 4),
    field('data_file', {
      type: 'record',
      name: 'r2',
      fields: [
        field('content', 'int', 134),
        field('file_path', 'string', 100),
        field('file_format', 'string', 101),
        field('partition', { type: 'record', name: 'r102', fields: [] }, 102),
        field('record_count', 'long', 103),
        field('file_size_in_bytes', 'long', 104),
        field('lower_bounds', bytesMap('k126_v127', 126, 127), 125),
        field('upper_bounds', bytesMap('k129_v130', 129, 130), 128),
        field('equality_ids', optional({ type: 'array', items: 'int', 'element-id': 136 }), 135),
        field('sort_order_id', optional('int'), 140),
      ],
    }, 2),
  ],
}

const manifestFileSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    field('manifest_path', 'string', 500),
    field('manifest_length', 'long', 501),
    field('partition_spec_id', 'int', 502),
    field('content', 'int', 517),
    field('sequence_number', 'long', 515),
    field('min_sequence_number', 'long', 516),
    field('added_snapshot_id', 'long', 503),
    field('added_files_count', 'int', 504),
    field('existing_files_count', 'int', 505),
    field('deleted_files_count', 'int', 506),
    field('added_rows_count', 'long', 512),
    field('existing_rows_count', 'long', 513),
    field('deleted_rows_count', 'long', 514),
  ],
}

/**
 * An Avro container written by icebird's avroWrite, with the Iceberg metadata keys (schema,
 * partition-spec, format-version, content...) added to its header: avroWrite writes only
 * avro.schema and avro.codec, and the spec requires the others in manifests.
 */
function avroFile(avroSchema, records, extraMetadata) {
  const writer = new ByteWriter()
  avroWrite({ writer, schema: avroSchema, records })
  const bytes = new Uint8Array(writer.getBuffer())
  let offset = 4
  const readLong = () => {
    let shift = 0n, result = 0n, b
    do { b = bytes[offset++]; result |= BigInt(b & 0x7f) << shift; shift += 7n } while (b & 0x80)
    return Number(result >> 1n ^ -(result & 1n))
  }
  const meta = {}
  for (let count = readLong(); count !== 0; count = readLong()) {
    const readString = () => {
      const length = readLong()
      offset += length
      return new TextDecoder().decode(bytes.subarray(offset - length, offset))
    }
    for (let i = 0; i < Math.abs(count); i++) {
      const key = readString()
      meta[key] = readString()
    }
  }
  const rest = bytes.subarray(offset)
  const header = new ByteWriter()
  header.appendUint32(0x016a624f)
  const entries = Object.entries({ ...meta, ...extraMetadata })
  const zigzag = v => header.appendVarInt(v << 1 ^ v >> 31)
  zigzag(entries.length)
  for (const [key, value] of entries) {
    for (const s of [key, value]) {
      const b = utf8(s)
      zigzag(b.length)
      header.appendBytes(b)
    }
  }
  header.appendVarInt(0)
  const head = new Uint8Array(header.getBuffer())
  const out = new Uint8Array(head.length + rest.length)
  out.set(head)
  out.set(rest, head.length)
  return out
}

/**
 * Writes the table into `folder`; returns its location (a file:// URL).
 * @param {string} folder
 */
export function writeDeletesTable(folder) {
  folder = resolve(folder)
  mkdirSync(join(folder, 'data'), { recursive: true })
  mkdirSync(join(folder, 'metadata'), { recursive: true })
  const location = pathToFileURL(folder).href.replace(/\/$/, '')
  const files = {}
  const put = (relative, bytes) => {
    writeFileSync(join(folder, relative), bytes)
    return { path: `${location}/${relative}`, size: BigInt(bytes.length) }
  }

  files.a = { ...put('data/data-a.parquet', new Uint8Array(tableParquet(dataA))), records: dataA.length, content: 0 }
  files.b = { ...put('data/data-b.parquet', new Uint8Array(tableParquet(dataB))), records: dataB.length, content: 0 }
  files.c = { ...put('data/data-c.parquet', new Uint8Array(tableParquet(dataC))), records: dataC.length, content: 0 }
  const pos1Rows = [[files.a.path, 1n], [files.a.path, 4n], [files.b.path, 0n]]
  files.pos1 = { ...put('data/pos-deletes-1.parquet', new Uint8Array(positionDeletes(pos1Rows))), records: 3, content: 1,
    lower: files.a.path, upper: files.b.path }
  const elsewhere = `${location}/data/data-z-not-in-table.parquet`
  files.pos2 = { ...put('data/pos-deletes-2.parquet', new Uint8Array(positionDeletes([[elsewhere, 0n]]))), records: 1, content: 1,
    lower: elsewhere, upper: elsewhere }
  files.pos3 = { ...put('data/pos-deletes-3.parquet', new Uint8Array(positionDeletes([[files.c.path, 2n]]))), records: 1, content: 1,
    lower: files.c.path, upper: files.c.path }
  const eqRows = [[3n, null], [8n, 'Hunca'], [99n, 'Nobody']]
  files.eq = { ...put('data/eq-deletes.parquet', new Uint8Array(tableParquet(eqRows, false))), records: 3, content: 2, equalityIds: [1, 2] }

  const tableSchemaJson = JSON.stringify(schema)
  let manifestCount = 0
  const manifest = (content, snapshotId, sequenceNumber, entries) => {
    const records = entries.map(f => ({
      status: 1,
      snapshot_id: snapshotId,
      sequence_number: sequenceNumber,
      file_sequence_number: sequenceNumber,
      data_file: {
        content: f.content,
        file_path: f.path,
        file_format: 'PARQUET',
        partition: {},
        record_count: BigInt(f.records),
        file_size_in_bytes: f.size,
        lower_bounds: f.lower ? [{ key: 2147483546, value: utf8(f.lower) }] : null,
        upper_bounds: f.upper ? [{ key: 2147483546, value: utf8(f.upper) }] : null,
        equality_ids: f.equalityIds ?? null,
        sort_order_id: null,
      },
    }))
    const bytes = avroFile(manifestEntrySchema, records, {
      schema: tableSchemaJson,
      'schema-id': '0',
      'partition-spec': '[]',
      'partition-spec-id': '0',
      'format-version': '2',
      content: content === 0 ? 'data' : 'deletes',
    })
    const { path, size } = put(`metadata/manifest-${++manifestCount}.avro`, bytes)
    return {
      manifest_path: path,
      manifest_length: size,
      partition_spec_id: 0,
      content,
      sequence_number: sequenceNumber,
      min_sequence_number: sequenceNumber,
      added_snapshot_id: snapshotId,
      added_files_count: entries.length,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: BigInt(entries.reduce((n, f) => n + f.records, 0)),
      existing_rows_count: 0n,
      deleted_rows_count: 0n,
    }
  }

  const m1 = manifest(0, 1001n, 1n, [files.a])
  const m2 = manifest(0, 1002n, 2n, [files.b])
  const m3 = manifest(1, 1003n, 3n, [files.pos1, files.pos2])
  const m4 = manifest(0, 1004n, 4n, [files.c])
  const m5 = manifest(1, 1004n, 4n, [files.eq, files.pos3])
  const lists = [[1001n, null, 1n, [m1]], [1002n, 1001n, 2n, [m2, m1]], [1003n, 1002n, 3n, [m3, m2, m1]], [1004n, 1003n, 4n, [m4, m5, m3, m2, m1]]]
  const snapshots = lists.map(([id, parent, sequence, manifests], i) => {
    const listPath = put(`metadata/snap-${id}.avro`, avroFile(manifestFileSchema, manifests, {
      'snapshot-id': String(id),
      'parent-snapshot-id': parent === null ? 'null' : String(parent),
      'sequence-number': String(sequence),
      'format-version': '2',
    })).path
    return {
      'snapshot-id': Number(id),
      ...(parent === null ? {} : { 'parent-snapshot-id': Number(parent) }),
      'sequence-number': Number(sequence),
      'timestamp-ms': 1700000000000 + i * 60000,
      'manifest-list': listPath,
      summary: { operation: i < 2 ? 'append' : 'overwrite' },
      'schema-id': 0,
    }
  })
  // The current snapshot's totals, as engines write them: records before deletes, delete files apart.
  Object.assign(snapshots[3].summary, {
    'total-records': String(totalRecords),
    'total-data-files': '3',
    'total-delete-files': '4',
    'total-position-deletes': '5',
    'total-equality-deletes': '3',
    'total-files-size': String(Object.values(files).reduce((n, f) => n + f.size, 0n)),
  })

  const metadata = {
    'format-version': 2,
    'table-uuid': 'b5b2a7a8-6c1f-4c56-9a53-2f1f5d3f7a10',
    location,
    'last-sequence-number': 4,
    'last-updated-ms': snapshots[3]['timestamp-ms'],
    'last-column-id': 3,
    'current-schema-id': 0,
    schemas: [schema],
    'default-spec-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'last-partition-id': 999,
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: {},
    'current-snapshot-id': snapshots[3]['snapshot-id'],
    refs: { main: { 'snapshot-id': snapshots[3]['snapshot-id'], type: 'branch' } },
    snapshots,
    'snapshot-log': snapshots.map(s => ({ 'timestamp-ms': s['timestamp-ms'], 'snapshot-id': s['snapshot-id'] })),
    'metadata-log': [],
  }
  writeFileSync(join(folder, 'metadata', 'v1.metadata.json'), JSON.stringify(metadata, null, 2))
  writeFileSync(join(folder, 'metadata', 'version-hint.text'), '1')
  return location
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  if (process.argv.length !== 3) {
    console.error('usage: node deletes-table.mjs <folder>')
    process.exit(2)
  }
  console.log(writeDeletesTable(process.argv[2]))
}
