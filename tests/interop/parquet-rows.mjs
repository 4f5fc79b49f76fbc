// Prints the rows of one Parquet file as hyparquet reads them, in a canonical JSON form a second
// reader's rows can be compared with: { "rows": [ {column: value, ...}, ... ] }.
//
//   node tests/interop/parquet-rows.mjs <file.parquet>
//
// Canonical values (json.mjs writes the rest): timestamps as "ts:<microseconds since epoch>"
// (nanosecond values truncated toward zero to microseconds), dates as "date:<days since epoch>",
// byte arrays without a string annotation as base64 (utf8: false), 64-bit integers exact.
// Exit code 1 with hyparquet's message on stderr when it cannot read the file.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { toJson } from './json.mjs'

const file = process.argv[2]
if (!file) {
  process.stderr.write('usage: node parquet-rows.mjs <file.parquet>\n')
  process.exit(2)
}

const parsers = {
  timestampFromMilliseconds: millis => `ts:${BigInt(millis) * 1000n}`,
  timestampFromMicroseconds: micros => `ts:${BigInt(micros)}`,
  timestampFromNanoseconds: nanos => `ts:${BigInt(nanos) / 1000n}`,
  dateFromDays: days => `date:${days}`,
  stringFromBytes: bytes => bytes && new TextDecoder().decode(bytes),
  geometryFromBytes: bytes => bytes,
  geographyFromBytes: bytes => bytes,
}

try {
  const buffer = await asyncBufferFromFile(file)
  const metadata = await parquetMetadataAsync(buffer, { parsers })
  const rows = await parquetReadObjects({ file: buffer, metadata, compressors, parsers, utf8: false })
  process.stdout.write(toJson({ rows }) + '\n')
} catch (e) {
  process.stderr.write(`${e?.message ?? e}\n`)
  process.exit(1)
}
