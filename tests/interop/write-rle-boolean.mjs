// Writes tests/Faceberg.TestData/hyparquet-writer/rle_boolean_v2.parquet with hyparquet-writer 0.6.1
// (installed with icebird): BOOLEAN columns of more than 16 values, which that writer encodes RLE in
// data pages v2 (Snappy), one of them optional with nulls, over two row groups. Parquet.Net 6.1.0
// cannot decode this page shape (parquet-dotnet issue 638); Faceberg's own page decoder reads it.
//
//   node tests/interop/write-rle-boolean.mjs
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parquetWriteBuffer } from 'hyparquet-writer'

const rows = 100
const id = Array.from({ length: rows }, (_, i) => i)
// Runs long enough for RLE runs, short alternations for bit-packed runs, and nulls between them.
const flag = id.map(i => i % 7 === 3 ? null : i < 40 ? i % 2 === 0 : i < 70)
const always = id.map(i => (i * 13) % 5 < 2)

const buffer = parquetWriteBuffer({
  columnData: [
    { name: 'id', data: id, type: 'INT32' },
    { name: 'flag', data: flag, type: 'BOOLEAN' },
    { name: 'always', data: always, type: 'BOOLEAN', nullable: false },
  ],
  rowGroupSize: 50,
})
const target = fileURLToPath(new URL('../Faceberg.TestData/hyparquet-writer/rle_boolean_v2.parquet', import.meta.url))
writeFileSync(target, new Uint8Array(buffer))
process.stdout.write(`${target}\n`)
