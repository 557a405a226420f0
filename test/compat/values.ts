/**
 * Argument values the differential scripts and generators share: binary byte strings (latin1, so
 * each char is one byte 0x00–0xFF), int64 limits, and absolute times far enough in the future that
 * EXPIRETIME/PEXPIRETIME replies are exact on both servers.
 */

/** Every byte 0x00..0xFF once, in order. */
export const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))

/** Bytes that trip naive text handling: NUL, CR LF, high bytes, invalid UTF-8. */
export const AWKWARD_BYTES = "\x00\r\n\xff\xfe\x80 \t\x7f\xc3\x28"

export const INT64_MAX = "9223372036854775807"
export const INT64_MIN = "-9223372036854775808"
export const INT64_MAX_PLUS_ONE = "9223372036854775808"
export const INT64_MIN_MINUS_ONE = "-9223372036854775809"

/** 2100-01-01T00:00:00Z in seconds and ms (plus a few ms so PEXPIRETIME shows them). */
export const FAR_FUTURE_SECONDS = "4102444800"
export const FAR_FUTURE_MILLIS = "4102444800123"

/** 44 bytes is the longest embstr; one more makes a raw string (OBJECT ENCODING). */
export const LONGEST_EMBSTR = "e".repeat(44)
export const SHORTEST_RAW = "r".repeat(45)
