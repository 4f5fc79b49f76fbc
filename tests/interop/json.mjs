// JSON helpers that keep 64-bit integers exact.
//
// Iceberg snapshot ids are random 63-bit longs; JSON.parse rounds them to the nearest double, so
// the ids a test compares would not be the ids Faceberg wrote. Node 20's JSON.parse offers no
// access to a number's source text, hence this small parser. Output goes through toJson so that
// BigInt values (Avro longs, Parquet INT64) keep every digit too.

/**
 * Parses JSON text; integer literals outside the double-safe range become BigInt.
 * @param {string} text
 * @returns {any}
 */
export function parseJsonLossless(text) {
  let pos = 0

  function fail(message) {
    throw new SyntaxError(`${message} at offset ${pos} of JSON text`)
  }

  function skipWhitespace() {
    while (pos < text.length) {
      const ch = text.charCodeAt(pos)
      if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) pos++
      else break
    }
  }

  function parseValue() {
    skipWhitespace()
    const ch = text[pos]
    if (ch === '{') return parseObject()
    if (ch === '[') return parseArray()
    if (ch === '"') return parseString()
    if (ch === '-' || (ch >= '0' && ch <= '9')) return parseNumber()
    if (text.startsWith('true', pos)) { pos += 4; return true }
    if (text.startsWith('false', pos)) { pos += 5; return false }
    if (text.startsWith('null', pos)) { pos += 4; return null }
    return fail(`unexpected ${ch === undefined ? 'end' : JSON.stringify(ch)}`)
  }

  function parseObject() {
    pos++
    const result = {}
    skipWhitespace()
    if (text[pos] === '}') { pos++; return result }
    for (;;) {
      skipWhitespace()
      if (text[pos] !== '"') fail('expected a property name')
      const key = parseString()
      skipWhitespace()
      if (text[pos] !== ':') fail('expected ":"')
      pos++
      result[key] = parseValue()
      skipWhitespace()
      if (text[pos] === ',') { pos++; continue }
      if (text[pos] === '}') { pos++; return result }
      fail('expected "," or "}"')
    }
  }

  function parseArray() {
    pos++
    const result = []
    skipWhitespace()
    if (text[pos] === ']') { pos++; return result }
    for (;;) {
      result.push(parseValue())
      skipWhitespace()
      if (text[pos] === ',') { pos++; continue }
      if (text[pos] === ']') { pos++; return result }
      fail('expected "," or "]"')
    }
  }

  function parseString() {
    const start = pos
    pos++
    while (pos < text.length) {
      const ch = text[pos]
      if (ch === '\\') pos += 2
      else if (ch === '"') {
        pos++
        // The built-in parser decodes escapes exactly as the JSON grammar says.
        return JSON.parse(text.slice(start, pos))
      } else pos++
    }
    return fail('unterminated string')
  }

  function parseNumber() {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400))
    if (!match) fail('invalid number')
    const literal = match[0]
    pos += literal.length
    if (match[2] === undefined && match[3] === undefined) {
      const asNumber = Number(literal)
      return Number.isSafeInteger(asNumber) ? asNumber : BigInt(literal)
    }
    return Number(literal)
  }

  const value = parseValue()
  skipWhitespace()
  if (pos !== text.length) fail('unexpected trailing text')
  return value
}

/**
 * Serialises a value read by icebird/hyparquet to JSON:
 * BigInt → exact integer literal, Uint8Array (and other byte views) → base64 string,
 * Date → ISO-8601 string, undefined → null, non-finite numbers → "NaN"/"Infinity"/"-Infinity",
 * typed numeric arrays → arrays, Map → object.
 * @param {any} value
 * @param {string} [indent]
 * @returns {string}
 */
export function toJson(value, indent = '') {
  const parts = []
  write(value, '')
  return parts.join('')

  function write(v, currentIndent) {
    if (v === undefined || v === null) { parts.push('null'); return }
    switch (typeof v) {
      case 'bigint': parts.push(v.toString()); return
      case 'number':
        parts.push(Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v)))
        return
      case 'boolean': parts.push(v ? 'true' : 'false'); return
      case 'string': parts.push(JSON.stringify(v)); return
      case 'function': case 'symbol': parts.push('null'); return
    }
    if (v instanceof Date) {
      parts.push(Number.isNaN(v.getTime()) ? 'null' : JSON.stringify(v.toISOString()))
      return
    }
    if (v instanceof Uint8Array) {
      parts.push(JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')))
      return
    }
    if (ArrayBuffer.isView(v)) { writeList(Array.from(/** @type {any} */ (v)), currentIndent); return }
    if (Array.isArray(v)) { writeList(v, currentIndent); return }
    if (v instanceof Map) { writeObject(Object.fromEntries(v), currentIndent); return }
    writeObject(v, currentIndent)
  }

  function writeList(list, currentIndent) {
    if (list.length === 0) { parts.push('[]'); return }
    const inner = currentIndent + indent
    parts.push('[')
    list.forEach((item, i) => {
      if (i > 0) parts.push(',')
      if (indent) parts.push('\n', inner)
      write(item, inner)
    })
    if (indent) parts.push('\n', currentIndent)
    parts.push(']')
  }

  function writeObject(obj, currentIndent) {
    const keys = Object.keys(obj)
    if (keys.length === 0) { parts.push('{}'); return }
    const inner = currentIndent + indent
    parts.push('{')
    keys.forEach((key, i) => {
      if (i > 0) parts.push(',')
      if (indent) parts.push('\n', inner)
      parts.push(JSON.stringify(key), indent ? ': ' : ':')
      write(obj[key], inner)
    })
    if (indent) parts.push('\n', currentIndent)
    parts.push('}')
  }
}
