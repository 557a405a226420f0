/**
 * A test-side RESP2/RESP3 reply reader: turns reply bytes into values that keep their kind, so
 * a test (or the differential suite) can compare replies exactly: a simple string is not a bulk,
 * a RESP3 map is not an array, a double is not a bulk. Maps keep their entries as a flat
 * key, value, key, value list (the order they came in); booleans are "t" or "f".
 */
export type Reply =
  | { readonly kind: "simple"; readonly value: string }
  | { readonly kind: "error"; readonly value: string }
  | { readonly kind: "integer"; readonly value: string }
  | { readonly kind: "bulk"; readonly value: string | null }
  | { readonly kind: "array"; readonly value: ReadonlyArray<Reply> | null }
  | { readonly kind: "map"; readonly value: ReadonlyArray<Reply> }
  | { readonly kind: "set"; readonly value: ReadonlyArray<Reply> }
  | { readonly kind: "push"; readonly value: ReadonlyArray<Reply> }
  | { readonly kind: "double"; readonly value: string }
  | { readonly kind: "boolean"; readonly value: string }
  | { readonly kind: "null"; readonly value: null }
  | { readonly kind: "bignum"; readonly value: string }
  | { readonly kind: "verbatim"; readonly value: string }

/** Reads `count` replies from `at`: [replies, end] or undefined when incomplete. */
const readMany = (buf: Buffer, at: number, count: number): [Array<Reply>, number] | undefined => {
  const items: Array<Reply> = []
  for (let i = 0; i < count; i++) {
    const item = readReply(buf, at)
    if (item === undefined) return undefined
    items.push(item[0])
    at = item[1]
  }
  return [items, at]
}

/** Parses one reply from `buf` at `pos`; undefined when incomplete. Strings are latin1 byte strings. */
export const readReply = (buf: Buffer, pos: number): [Reply, number] | undefined => {
  if (pos >= buf.length) return undefined
  const lf = buf.indexOf(10, pos)
  if (lf < 0) return undefined
  const line = buf.latin1Slice(pos + 1, lf - 1)
  const next = lf + 1
  switch (buf[pos]) {
    case 43:
      return [{ kind: "simple", value: line }, next]
    case 45:
      return [{ kind: "error", value: line }, next]
    case 58:
      return [{ kind: "integer", value: line }, next]
    case 36: {
      const length = Number(line)
      if (length < 0) return [{ kind: "bulk", value: null }, next]
      if (buf.length < next + length + 2) return undefined
      return [{ kind: "bulk", value: buf.latin1Slice(next, next + length) }, next + length + 2]
    }
    case 42: {
      const count = Number(line)
      if (count < 0) return [{ kind: "array", value: null }, next]
      const read = readMany(buf, next, count)
      return read === undefined ? undefined : [{ kind: "array", value: read[0] }, read[1]]
    }
    case 37: // '%'
    case 126: // '~'
    case 62: { // '>'
      const kind = buf[pos] === 37 ? "map" : buf[pos] === 126 ? "set" : "push"
      const read = readMany(buf, next, Number(line) * (kind === "map" ? 2 : 1))
      return read === undefined ? undefined : [{ kind, value: read[0] }, read[1]]
    }
    case 44: // ','
      return [{ kind: "double", value: line }, next]
    case 35: // '#'
      return [{ kind: "boolean", value: line }, next]
    case 95: // '_'
      return [{ kind: "null", value: null }, next]
    case 40: // '('
      return [{ kind: "bignum", value: line }, next]
    case 61: { // '='
      const length = Number(line)
      if (buf.length < next + length + 2) return undefined
      return [{ kind: "verbatim", value: buf.latin1Slice(next, next + length) }, next + length + 2]
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.latin1Slice(pos, Math.min(buf.length, pos + 40)))}`)
  }
}

/** A compact, exact text form of a reply (for assertions and mismatch reports). */
export const showReply = (reply: Reply): string => {
  switch (reply.kind) {
    case "simple":
      return `+${reply.value}`
    case "error":
      return `-${reply.value}`
    case "integer":
      return `:${reply.value}`
    case "bulk":
      return reply.value === null ? "(nil)" : JSON.stringify(reply.value)
    case "array":
      return reply.value === null ? "(nil array)" : `[${reply.value.map(showReply).join(", ")}]`
    case "map": {
      const entries: Array<string> = []
      for (let i = 0; i < reply.value.length; i += 2) {
        entries.push(`${showReply(reply.value[i])} => ${showReply(reply.value[i + 1])}`)
      }
      return `{${entries.join(", ")}}`
    }
    case "set":
      return `~[${reply.value.map(showReply).join(", ")}]`
    case "push":
      return `>[${reply.value.map(showReply).join(", ")}]`
    case "double":
      return `,${reply.value}`
    case "boolean":
      return `#${reply.value}`
    case "null":
      return "(null)"
    case "bignum":
      return `(${reply.value}`
    case "verbatim":
      return `=${JSON.stringify(reply.value)}`
  }
}
