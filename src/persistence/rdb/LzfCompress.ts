/**
 * LZF compression as Redis's bundled liblzf 3.6 does it (HLOG 16, VERY_FAST, no ULTRA_FAST), so
 * that a long string or a listpack DUMPs to the very bytes Redis writes. The format: runs of up to
 * 32 literal bytes (a control byte `count - 1`, then the bytes) and back-references (3 bits of
 * length and 13 of offset, with an extra length byte when the length is 7 or more).
 *
 * The hash table is module scratch, cleared per call (liblzf leaves it uninitialized; a stale
 * slot can only matter for bytes that also match, which a cleared table never reports).
 */
const HLOG = 16
const HSIZE = 1 << HLOG
const MAX_LIT = 1 << 5
const MAX_OFF = 1 << 13
const MAX_REF = (1 << 8) + (1 << 3)

/** Positions + 1 (0: empty slot, as liblzf's table of pointers at the input's start). */
const table = new Int32Array(HSIZE)

const slot = (hval: number): number => (((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1))

/**
 * Compresses `input` into at most `limit` bytes; undefined when that is not enough (Redis stores
 * the string as it is then). Redis asks for `length - 4` bytes at most.
 */
export const lzfCompress = (input: Uint8Array, limit: number): Buffer | undefined => {
  const inLength = input.length
  if (inLength === 0 || limit <= 0) return undefined
  table.fill(0)
  const out = Buffer.allocUnsafe(limit + 1)
  let ip = 0
  let op = 1 // the first run's control byte goes at 0
  let lit = 0
  let hval = (input[0] << 8) | input[1]
  while (ip < inLength - 2) {
    hval = ((hval << 8) | input[ip + 2]) & 0xffffff
    const at = slot(hval)
    const ref = table[at] - 1
    table[at] = ip + 1
    const off = ip - ref - 1
    if (
      ref > 0 &&
      off < MAX_OFF &&
      input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      let len = 2
      let maxlen = inLength - ip - len
      if (maxlen > MAX_REF) maxlen = MAX_REF
      if (op + 3 + 1 >= limit && op - (lit === 0 ? 1 : 0) + 3 + 1 >= limit) return undefined
      out[op - lit - 1] = lit - 1 // close the literal run
      if (lit === 0) op-- // an empty run takes no byte
      // liblzf first compares 16 bytes unrolled, without the length cap, when 17 or more may match.
      let stopped = false
      if (maxlen > 16) {
        for (let k = 0; k < 16 && !stopped; k++) if (input[ref + ++len] !== input[ip + len]) stopped = true
      }
      if (!stopped) {
        do len++
        while (len < maxlen && input[ref + len] === input[ip + len])
      }
      len -= 2 // now the match length minus one
      ip++
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5)
      } else {
        out[op++] = (off >> 8) + (7 << 5)
        out[op++] = len - 7
      }
      out[op++] = off & 0xff
      lit = 0
      op++ // open a new run
      ip += len + 1
      if (ip >= inLength - 2) break
      // Hash the two positions before the new one (VERY_FAST).
      ip -= 2
      hval = (input[ip] << 8) | input[ip + 1]
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff
      table[slot(hval)] = ip + 1
      ip++
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff
      table[slot(hval)] = ip + 1
      ip++
    } else {
      if (op >= limit) return undefined
      lit++
      out[op++] = input[ip++]
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1
        lit = 0
        op++
      }
    }
  }
  if (op + 3 > limit) return undefined
  while (ip < inLength) {
    lit++
    out[op++] = input[ip++]
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1
      lit = 0
      op++
    }
  }
  out[op - lit - 1] = lit - 1
  if (lit === 0) op--
  return out.subarray(0, op)
}
