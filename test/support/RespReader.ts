/**
 * A test-side RESP2/RESP3 reply reader: turns reply bytes into values that keep their kind, so
 * a test (or the differential suite) can compare replies exactly: a simple string is not a bulk.
 */
export type Reply =
  | { readonly kind: "simple"; readonly value: string }
  | { readonly kind: "error"; readonly value: string }
  | { readonly kind: "integer"; readonly value: string }
  | { readonly kind: "bulk"; readonly value: string | null }
  | { readonly kind: "array"; readonly value: ReadonlyArray<Reply> | null }

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
      const items: Array<Reply> = []
      let at = next
      for (let i = 0; i < count; i++) {
        const item = readReply(buf, at)
        if (item === undefined) return undefined
        items.push(item[0])
        at = item[1]
      }
      return [{ kind: "array", value: items }, at]
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
  }
}
