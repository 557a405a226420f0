/**
 * The cursor argument of SCAN, HSCAN, SSCAN and ZSCAN, one parser for all four, as Redis reads
 * it (strtoul: stops at a NUL byte; Redis refuses leading white space, anything after the number
 * and overflow). Every text is tried on every command, on our server and on real Redis with the
 * same expectations: an invalid cursor is refused before the key is looked up; a valid one on a
 * small collection (listpack / intset) answers everything at once; SCAN over an empty database
 * answers ["0", []]; and SCAN from a cursor whose low 32 bits are 0 (the part SCAN keeps, see
 * keys/iteration.ts) starts from the beginning.
 */
import { arr, bulk, bulks, type Case, defineCaseSuites, err, int, ok, type Step } from "../support/caseTables.js"

const INVALID = err("ERR invalid cursor")

/** Cursors that mean 0 everywhere (and to SCAN, whose 32 low bits are 0). */
const ZERO_CURSORS = ["", "0", "+0", "-0", "000", "\u0000", "\u0000junk", "0\u0000 tail", "4294967296", "-18446744069414584320"]

/** Valid cursors that are not 0 (to SCAN, not 0 in the low 32 bits either). */
const OTHER_VALID = ["1", "+7", "007", "-1", "5\u0000x", "18446744073709551615", "-18446744073709551615", "9007199254740993"]

const INVALID_CURSORS = [
  " 0", "\t1", "\n1", "0 ", "+", "-", "-\u0000", " \u0000", "+-1", "--1", "0x10", "1e3", "1.0", "abc", "\u00b2",
  "18446744073709551616", "-18446744073709551616", "99999999999999999999999999", "1\r"
]

const everyCursor = [...ZERO_CURSORS, ...OTHER_VALID]

const cases: ReadonlyArray<Case> = [
  ["SCAN over an empty database: every valid cursor ends at once, invalid ones are refused", () => [
    [["SELECT", "9"], ok],
    [["FLUSHDB"], ok],
    ...everyCursor.map((cursor): Step => [["SCAN", cursor], arr(bulk("0"), arr())]),
    ...INVALID_CURSORS.map((cursor): Step => [["SCAN", cursor], INVALID]),
    ...INVALID_CURSORS.map((cursor): Step => [["SCAN", cursor, "COUNT", "0"], INVALID]),
    [["SELECT", "0"], ok]
  ]],
  ["SCAN from a cursor whose low 32 bits are 0 starts from the beginning", () => [
    [["SELECT", "9"], ok],
    [["FLUSHDB"], ok],
    [["SET", "only", "v"], ok],
    ...ZERO_CURSORS.map((cursor): Step => [["SCAN", cursor, "COUNT", "100"], arr(bulk("0"), bulks("only"))]),
    [["FLUSHDB"], ok],
    [["SELECT", "0"], ok]
  ]],
  ["HSCAN, SSCAN, ZSCAN of small collections: any valid cursor answers everything", (k) => [
    [["HSET", k("h"), "f", "v"], int(1)],
    [["SADD", k("s"), "1", "2"], int(2)],
    [["ZADD", k("z"), "1", "m"], int(1)],
    ...everyCursor.flatMap((cursor): Array<Step> => [
      [["HSCAN", k("h"), cursor], arr(bulk("0"), bulks("f", "v"))],
      [["SSCAN", k("s"), cursor], arr(bulk("0"), bulks("1", "2"))],
      [["ZSCAN", k("z"), cursor], arr(bulk("0"), bulks("m", "1"))],
      [["ZSCAN", k("missing"), cursor], arr(bulk("0"), arr())]
    ])
  ]],
  ["HSCAN, SSCAN, ZSCAN refuse an invalid cursor before looking at the key", (k) => [
    [["SET", k("str"), "v"], ok],
    ...INVALID_CURSORS.flatMap((cursor): Array<Step> => [
      [["HSCAN", k("missing"), cursor], INVALID],
      [["SSCAN", k("str"), cursor], INVALID],
      [["ZSCAN", k("missing"), cursor, "COUNT", "0"], INVALID]
    ])
  ]]
]

defineCaseSuites("SCAN-family cursors", cases)
