/**
 * Small collections packed into one byte string, as Redis packs them into a listpack: each
 * element is its length (a varint: 7 bits per char, low bits first, the 0x80 bit meaning "more")
 * followed by its bytes. One flat latin1 string costs its 16-byte header and its bytes, where a
 * JS string per element costs a header each and a Map entry or array slot besides.
 *
 * Every change builds a new string (O(n) in the packed length, as a listpack's realloc and
 * memmove are), always with `join`, which gives a flat string: `+` would give a rope that keeps
 * the pieces of the old strings alive.
 */

/** The varint prefix of an element of `length` bytes. */
export const lengthPrefix = (length: number): string => {
  if (length < 0x80) return String.fromCharCode(length)
  let prefix = ""
  while (length >= 0x80) {
    prefix += String.fromCharCode((length & 0x7f) | 0x80)
    length = Math.floor(length / 0x80)
  }
  return prefix + String.fromCharCode(length)
}

/**
 * Where the element at `at` ends its prefix and its bytes: sets `cursor.start` (its first
 * byte) and `cursor.end` (one past its last byte, where the next element begins).
 */
export const readElement = (packed: string, at: number, cursor: ElementCursor): void => {
  let code = packed.charCodeAt(at++)
  if (code < 0x80) {
    cursor.start = at
    cursor.end = at + code
    return
  }
  let length = code & 0x7f
  let scale = 0x80
  do {
    code = packed.charCodeAt(at++)
    length += (code & 0x7f) * scale
    scale *= 0x80
  } while (code >= 0x80)
  cursor.start = at
  cursor.end = at + length
}

/**
 * Whether `packed` holds `text` from `at` (the caller checked the element's length): a char loop,
 * cheaper than `startsWith` at a position for the short elements a packed string holds. It runs
 * from the last char: names of one shape (`field:17`, `field:42`) differ at the end, so a scan
 * past the other elements stops at their first compared char.
 */
export const sameCharsAt = (packed: string, at: number, text: string): boolean => {
  for (let i = text.length - 1; i >= 0; i--) if (packed.charCodeAt(at + i) !== text.charCodeAt(i)) return false
  return true
}

/**
 * Finds `key` among the keys of a packed string of (key, value) pairs (a listpack hash or sorted
 * set): the offset of its pair, or -1; when found, its bounds are left in `keyAt` and its value's
 * in `valueAt`. The one-char prefixes of short elements are read inline and nothing is stored
 * per step: this is the scan of every lookup in a small hash or sorted set.
 */
export const findPair = (packed: string, key: string, keyAt: ElementCursor, valueAt: ElementCursor): number => {
  const length = key.length
  const total = packed.length
  for (let at = 0; at < total;) {
    let start: number
    let end: number
    const code = packed.charCodeAt(at)
    if (code < 0x80) {
      start = at + 1
      end = start + code
    } else {
      readElement(packed, at, keyAt)
      start = keyAt.start
      end = keyAt.end
    }
    let valueStart: number
    let valueEnd: number
    const valueCode = packed.charCodeAt(end)
    if (valueCode < 0x80) {
      valueStart = end + 1
      valueEnd = valueStart + valueCode
    } else {
      readElement(packed, end, valueAt)
      valueStart = valueAt.start
      valueEnd = valueAt.end
    }
    if (end - start === length && sameCharsAt(packed, start, key)) {
      keyAt.start = start
      keyAt.end = end
      valueAt.start = valueStart
      valueAt.end = valueEnd
      return at
    }
    at = valueEnd
  }
  return -1
}

/**
 * Finds `element` in a packed string of single elements (a small set): its offset, or -1; when
 * found, its bounds are left in `cursor`. Read as `findPair` reads, in a copy of its loop: one
 * function for both, with a branch per step, made the packed-hash scan ~7% slower (measured with
 * scripts/bench/collections-micro.ts).
 */
export const findSingle = (packed: string, element: string, cursor: ElementCursor): number => {
  const length = element.length
  const total = packed.length
  for (let at = 0; at < total;) {
    let start: number
    let end: number
    const code = packed.charCodeAt(at)
    if (code < 0x80) {
      start = at + 1
      end = start + code
    } else {
      readElement(packed, at, cursor)
      start = cursor.start
      end = cursor.end
    }
    if (end - start === length && sameCharsAt(packed, start, element)) {
      cursor.start = start
      cursor.end = end
      return at
    }
    at = end
  }
  return -1
}

/** The bounds of one element of a packed string (reused to avoid allocating per step). */
export interface ElementCursor {
  start: number
  end: number
}

/**
 * A flat string of the pieces (see the top comment). `join` of several non-empty pieces builds a
 * new string, but with one non-empty piece it returns that piece, which may be a slice holding the
 * whole old string alive (removing the first entry): that one is copied.
 */
export const joinPacked = (pieces: Array<string>): string => {
  let nonEmpty = 0
  let last = ""
  for (let i = 0; i < pieces.length; i++) {
    if (pieces[i].length > 0) {
      nonEmpty++
      last = pieces[i]
    }
  }
  return nonEmpty > 1 ? pieces.join("") : copyOut(last, 0, last.length)
}

/** The elements of a packed string, in order. */
export const unpack = (packed: string): Array<string> => {
  const elements: Array<string> = []
  const cursor: ElementCursor = { start: 0, end: 0 }
  for (let at = 0; at < packed.length; at = cursor.end) {
    readElement(packed, at, cursor)
    elements.push(packed.slice(cursor.start, cursor.end))
  }
  return elements
}

/** A packed string of `elements`. */
export const pack = (elements: Iterable<string>): string => {
  const pieces: Array<string> = []
  for (const element of elements) pieces.push(lengthPrefix(element.length), element)
  return joinPacked(pieces)
}

/** Chars the varint of `length` takes. */
export const prefixSize = (length: number): number => {
  let size = 1
  while (length >= 0x80) {
    length = Math.floor(length / 0x80)
    size++
  }
  return size
}

/**
 * The suffix of an element of `length` bytes in a packed string that is walked both ways (as a
 * listpack's back-length): the prefix's chars reversed, so that read from its end the char with
 * the 0x80 bit comes first and says "more".
 */
export const lengthSuffix = (length: number): string =>
  length < 0x80 ? String.fromCharCode(length) : lengthPrefix(length).split("").reverse().join("")

/** The length written by the suffix that ends at `end` (before it: the element's bytes). */
export const readSuffix = (packed: string, end: number): number => {
  let code = packed.charCodeAt(--end)
  if (code < 0x80) return code
  let length = code & 0x7f
  let scale = 0x80
  do {
    code = packed.charCodeAt(--end)
    length += (code & 0x7f) * scale
    scale *= 0x80
  } while (code >= 0x80)
  return length
}

/**
 * A flat copy of `packed`'s chars from `start` to `end`, for a piece that is kept: a slice of 13
 * chars or more is a view that keeps the whole packed string alive.
 */
export const copyOut = (packed: string, start: number, end: number): string =>
  end - start < 13 ? packed.slice(start, end) : [packed[start], packed.slice(start + 1, end)].join("")
