/**
 * Hand-written differential scripts for SORT, SORT_RO and LCS. SORT: numbers (strtod's rules:
 * spaces, hex, inf, an empty text as 0, refused NaN, overflow and decimal subnormals), ALPHA,
 * ties ordered by the elements' bytes, LIMIT past either end, BY and GET patterns over strings
 * and hash fields with missing keys and fields, BY nosort on lists and sorted sets (their own
 * order, reversed by DESC, cut by LIMIT), STORE (a list; an empty result deletes), the keyspace
 * events and statistics of the lookups, key finding. Sets have no order of their own, so an
 * unsorted set compares as a multiset. LCS: the string, LEN and IDX with MINMATCHLEN and
 * WITHMATCHLEN (a map in RESP3), missing keys and wrong types.
 */
import { collect, other, type Script, type Step, unordered } from "../compare.js"
import { ALL_BYTES, AWKWARD_BYTES } from "../values.js"

const keyspaceEvents = (commands: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<Step> =>
  keyspaceEventsUnder("KEA", commands)

const keyspaceEventsUnder = (flags: string, commands: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<Step> => [
  other("CONFIG", "SET", "notify-keyspace-events", flags),
  collect("PSUBSCRIBE", "__key*__:*"),
  ...commands.map((command) => other(...command)),
  collect("PUNSUBSCRIBE"),
  other("CONFIG", "SET", "notify-keyspace-events", "")
]

export const sortScripts: ReadonlyArray<Script> = [
  {
    name: "SORT numbers: order, ties by bytes, strtod's rules and refusals",
    steps: [
      ["RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "007", "7", "+7", "7.0", "1e1", "0x10", "-0", "0", " 4", "inf", "-inf", ""],
      ["SORT", "l"],
      ["SORT", "l", "DESC"],
      ["SORT", "l", "desc", "asc"],
      ["SORT_RO", "l"],
      ["RPUSH", "bad1", "1", "a", "2"],
      ["SORT", "bad1"],
      ["SORT", "bad1", "LIMIT", "0", "1"],
      ["RPUSH", "ok3", "0x1p-1074", "2.2250738585072014e-308", "1e-300"],
      ["SORT", "ok3"],
      ["RPUSH", "bad4", "nan"],
      ["SORT", "bad4"],
      ["RPUSH", "bad5", "3 "],
      ["SORT", "bad5"],
      ["RPUSH", "bad6", "  "],
      ["SORT", "bad6"],
      ["RPUSH", "nul", "5\u0000x", "3"],
      ["SORT", "nul"],
      ["SORT", "bad1", "ALPHA"],
      ["SORT", "missing"],
      ["SORT", "missing", "BY", "nosort", "DESC", "LIMIT", "1", "1"],
      ["SET", "str", "v"],
      ["SORT", "str"],
      ["SORT", "str", "FOO"],
      ["HSET", "h", "f", "v"],
      ["SORT", "h"],
      ["SORT", "l", "FOO"],
      ["SORT", "l", "LIMIT", "1"],
      ["SORT", "l", "LIMIT", "x", "1"],
      ["SORT", "l", "LIMIT", "1", "1.5"],
      ["SORT", "l", "BY"],
      ["SORT", "l", "GET"],
      ["SORT", "l", "STORE"],
      ["SORT_RO", "l", "STORE", "dst"]
    ]
  },
  {
    name: "SORT ALPHA and LIMIT: bytes order, offsets before, inside and past the end",
    steps: [
      ["RPUSH", "a", "banana", "Apple", "apple", "_x", "10", "9", "", "b", "B", AWKWARD_BYTES, "\xff", "\x80"],
      ["SORT", "a", "ALPHA"],
      ["SORT", "a", "ALPHA", "DESC"],
      ["SORT", "a", "ALPHA", "LIMIT", "0", "3"],
      ["SORT", "a", "ALPHA", "LIMIT", "3", "3"],
      ["SORT", "a", "ALPHA", "LIMIT", "-5", "2"],
      ["SORT", "a", "ALPHA", "LIMIT", "10", "100"],
      ["SORT", "a", "ALPHA", "LIMIT", "11", "1"],
      ["SORT", "a", "ALPHA", "LIMIT", "12", "1"],
      ["SORT", "a", "ALPHA", "LIMIT", "100", "5"],
      ["SORT", "a", "ALPHA", "LIMIT", "2", "0"],
      ["SORT", "a", "ALPHA", "LIMIT", "2", "-1"],
      ["SORT", "a", "ALPHA", "LIMIT", "2", "-100"],
      ["SORT", "a", "ALPHA", "LIMIT", "0", "9223372036854775807"],
      ["SORT", "a", "ALPHA", "LIMIT", "9223372036854775807", "1"],
      ["SORT", "a", "ALPHA", "LIMIT", "-9223372036854775808", "2"],
      ["SORT", "a", "ALPHA", "LIMIT", "1", "2", "LIMIT", "5", "1"],
      ["SORT", "a", "ALPHA", "LIMIT", "2", "9223372036854775807"],
      ["SORT", "a", "ALPHA", "LIMIT", "9223372036854775807", "9223372036854775807"],
      ["SORT", "a", "BY", "nosort", "LIMIT", "2", "9223372036854775807"],
      ["SORT", "a", "BY", "nosort", "DESC", "LIMIT", "3", "9223372036854775807", "GET", "#"],
      ["SADD", "s", "b", "A", "a", "B", "_", "1", ALL_BYTES],
      ["SORT", "s", "ALPHA"],
      ["SORT", "s", "ALPHA", "DESC", "LIMIT", "1", "3"],
      ["SADD", "ints", "5", "-3", "9", "1", "100"],
      ["SORT", "ints"],
      ["SORT", "ints", "DESC", "LIMIT", "1", "2"],
      unordered("SORT", "ints", "BY", "nosort"),
      ["SORT", "ints", "BY", "nosort", "STORE", "dst"],
      ["LRANGE", "dst", "0", "-1"],
      ["SORT", "s", "BY", "nosort", "STORE", "dst"],
      ["LRANGE", "dst", "0", "-1"]
    ]
  },
  {
    name: "SORT BY nosort: lists and sorted sets keep their order, DESC reverses, LIMIT cuts",
    steps: [
      ["RPUSH", "l", "c", "a", "d", "b", "e"],
      ["SORT", "l", "BY", "nosort"],
      ["SORT", "l", "BY", "nosort", "DESC"],
      ["SORT", "l", "BY", "nosort", "LIMIT", "1", "2"],
      ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
      ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "3", "10"],
      ["SORT", "l", "BY", "nosort", "LIMIT", "10", "2"],
      ["SORT", "l", "BY", "nosort", "LIMIT", "0", "0"],
      ["SORT", "l", "BY", "nosort", "GET", "#", "GET", "w_*"],
      ["SORT", "l", "BY", "constant-key"],
      ["ZADD", "z", "3", "c", "1", "a", "2", "b", "2", "bb", "-1", "neg"],
      ["OBJECT", "ENCODING", "z"],
      ["SORT", "z", "BY", "nosort"],
      ["OBJECT", "ENCODING", "z"],
      ["SORT", "z", "BY", "nosort", "DESC"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "1", "3"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "3"],
      ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "4", "3"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "7", "3"],
      ["SORT", "z", "BY", "nosort", "LIMIT", "2", "0"],
      ["SORT", "z", "ALPHA"],
      ["ZADD", "z2", "1", "10", "2", "9", "3", "8"],
      ["SORT_RO", "z2"],
      ["OBJECT", "ENCODING", "z2"],
      ["SORT", "z", "BY", "nosort", "STORE", "dst"],
      ["LRANGE", "dst", "0", "-1"]
    ]
  },
  {
    name: "SORT BY and GET patterns: strings, hash fields, missing keys, # and odd patterns",
    steps: [
      ["RPUSH", "l", "3", "1", "2", "4", "5"],
      ["MSET", "w_3", "30", "w_1", "10", "w_2", "-20", "w_4", "x"],
      ["SORT", "l", "BY", "w_*"],
      ["MSET", "w_4", "10"],
      ["SORT", "l", "BY", "w_*"],
      ["SORT", "l", "BY", "w_*", "DESC"],
      ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2"],
      ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "nostar", "GET", "missing_*"],
      ["SORT", "l", "BY", "w_*", "ALPHA", "GET", "w_*"],
      ["SORT", "l", "BY", "w_*", "ALPHA", "DESC", "LIMIT", "1", "2"],
      ["SORT", "l", "BY", "nokey_*", "ALPHA"],
      ["SORT", "l", "BY", "nokey_*"],
      ["HSET", "h_3", "f", "c", "g", "1"],
      ["HSET", "h_1", "f", "a", "g", "oops"],
      ["HSET", "h_2", "f", "b", "g", "-1"],
      ["SORT", "l", "BY", "h_*->f", "ALPHA", "GET", "h_*->f", "GET", "#"],
      ["SORT", "l", "BY", "h_*->g"],
      ["HSET", "h_1", "g", "7"],
      ["SORT", "l", "BY", "h_*->g", "GET", "h_*->g", "GET", "h_*->nofield"],
      ["SORT", "l", "BY", "h_*->", "GET", "h_*->"],
      ["SORT", "l", "GET", "h_*->f->x"],
      ["SORT", "l", "BY", "w_*->f"],
      ["SORT", "l", "GET", "w_*->f", "GET", "h_*"],
      ["SET", "x*y3", "v3"],
      ["SORT", "l", "GET", "x**y*"],
      ["SET", "pre_3_post", "tagged"],
      ["SORT", "l", "GET", "pre_*_post", "GET", "#"],
      ["SORT", "l", "GET", "#x"],
      ["SORT", "l", "GET", "##"],
      ["RPUSH", "l", "1"],
      ["SORT", "l", "BY", "w_*", "GET", "#"],
      ["LPUSH", "lz", "b", "a"],
      ["SET", "b_a", "2"],
      ["SET", "b_b", "1"],
      ["SORT", "lz", "BY", "b_*", "STORE", "dst", "GET", "#", "GET", "b_*", "GET", "none_*"],
      ["LRANGE", "dst", "0", "-1"],
      ["SORT", "lz", "BY", "b_*", "GET", "none_*", "STORE", "dst"],
      ["LRANGE", "dst", "0", "-1"]
    ]
  },
  {
    name: "SORT BY with LIMIT: Redis's partial quicksort and the order of its ties",
    steps: [
      ["RPUSH", "l", ...Array.from({ length: 90 }, (_, i) => `e${(i * 53) % 90}`)],
      ["MSET", ...Array.from({ length: 90 }, (_, i) => i).filter((i) => i % 7 !== 0).flatMap((i) => [`w_e${i}`, "abcde"[i % 5]])],
      ["MSET", ...Array.from({ length: 90 }, (_, i) => i).filter((i) => i % 7 !== 0).flatMap((i) => [`n_e${i}`, String(i % 4)])],
      ...[[0, 1], [0, 5], [3, 10], [10, 40], [0, 89], [1, 89], [50, 100], [80, 5], [-3, 7]].flatMap(([offset, count]) => [
        ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", String(offset), String(count)],
        ["SORT", "l", "BY", "w_*", "ALPHA", "DESC", "LIMIT", String(offset), String(count), "GET", "#", "GET", "w_*"],
        ["SORT", "l", "BY", "n_*", "LIMIT", String(offset), String(count), "GET", "#", "GET", "n_*"],
        ["SORT", "l", "BY", "n_*", "DESC", "LIMIT", String(offset), String(count)]
      ]),
      ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "2", "6", "STORE", "dst"],
      ["LRANGE", "dst", "0", "-1"]
    ]
  },
  {
    name: "SORT STORE: a list at the destination, replaced whatever it held; empty deletes",
    steps: [
      ["RPUSH", "l", "3", "1", "2"],
      ["SET", "dst", "string"],
      ["EXPIRE", "dst", "100"],
      ["SORT", "l", "STORE", "dst"],
      ["TYPE", "dst"],
      ["TTL", "dst"],
      ["LRANGE", "dst", "0", "-1"],
      ["OBJECT", "ENCODING", "dst"],
      ["SORT", "l", "DESC", "STORE", "dst", "STORE", "dst2"],
      ["EXISTS", "dst", "dst2"],
      ["LRANGE", "dst2", "0", "-1"],
      ["SORT", "l", "LIMIT", "5", "5", "STORE", "dst2"],
      ["EXISTS", "dst2"],
      ["SORT", "missing", "STORE", "dst"],
      ["EXISTS", "dst"],
      ["SORT", "l", "STORE", "l"],
      ["LRANGE", "l", "0", "-1"],
      ["RPUSH", "bad", "x"],
      ["SET", "keep", "v"],
      ["SORT", "bad", "STORE", "keep"],
      ["GET", "keep"]
    ]
  },
  {
    name: "SORT key finding: COMMAND GETKEYS and COMMAND INFO",
    steps: [
      ["COMMAND", "GETKEYS", "SORT", "l"],
      ["COMMAND", "GETKEYS", "SORT", "l", "STORE", "a", "BY", "x", "GET", "y", "LIMIT", "1", "2", "STORE", "b"],
      ["COMMAND", "GETKEYS", "SORT", "l", "GET", "STORE", "x"],
      ["COMMAND", "GETKEYS", "SORT", "l", "LIMIT", "STORE", "x", "y"],
      ["COMMAND", "GETKEYS", "SORT", "l", "STORE"],
      ["COMMAND", "GETKEYSANDFLAGS", "SORT", "l", "store", "d"],
      ["COMMAND", "GETKEYS", "SORT_RO", "l", "STORE", "a"],
      ["COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "l", "BY", "x"],
      ["COMMAND", "INFO", "sort", "sort_ro", "lcs"]
    ]
  },
  {
    name: "SORT lookups: keyspace events (sortstore, del, keymiss)",
    requires: ["SUBSCRIBE"],
    steps: [
      ["RPUSH", "l", "2", "1"],
      ["SET", "w_1", "5"],
      ...keyspaceEvents([
        ["SORT", "l", "STORE", "d"],
        ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "x_*", "STORE", "d"],
        ["SORT", "l", "LIMIT", "0", "0", "STORE", "d"],
        ["SORT", "l", "LIMIT", "0", "0", "STORE", "d"],
        ["SORT", "missing", "STORE", "d"],
        ["SORT", "l", "BY", "w_*", "GET", "x_*"]
      ]),
      ...keyspaceEventsUnder("Km", [["SORT", "l", "BY", "nokey_*", "GET", "x_*", "GET", "w_*"]])
    ]
  },
  {
    name: "LCS: the string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN, errors",
    steps: [
      ["MSET", "k1", "ohmytext", "k2", "mynewtext", "a", "ABCBDAB", "b", "BDCABA", "same", "abcdef", "none", "xyz"],
      ["LCS", "k1", "k2"],
      ["LCS", "k1", "k2", "LEN"],
      ["LCS", "k1", "k2", "IDX"],
      ["LCS", "k1", "k2", "idx", "MINMATCHLEN", "4"],
      ["LCS", "k1", "k2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
      ["LCS", "k1", "k2", "IDX", "WITHMATCHLEN"],
      ["LCS", "k1", "k2", "IDX", "MINMATCHLEN", "-3", "WITHMATCHLEN"],
      ["LCS", "k1", "k2", "IDX", "MINMATCHLEN", "100"],
      ["LCS", "k1", "k2", "WITHMATCHLEN"],
      ["LCS", "k1", "k2", "MINMATCHLEN", "2"],
      ["LCS", "k1", "k2", "LEN", "MINMATCHLEN", "2"],
      ["LCS", "a", "b"],
      ["LCS", "b", "a"],
      ["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
      ["LCS", "b", "a", "IDX", "WITHMATCHLEN"],
      ["LCS", "same", "same", "IDX", "WITHMATCHLEN"],
      ["LCS", "same", "none", "IDX"],
      ["LCS", "same", "none"],
      ["LCS", "same", "missing", "IDX"],
      ["LCS", "missing", "missing2", "LEN"],
      ["LCS", "missing", "missing2"],
      ["SET", "bin1", AWKWARD_BYTES + ALL_BYTES],
      ["SET", "bin2", ALL_BYTES.split("").reverse().join("") + AWKWARD_BYTES],
      ["LCS", "bin1", "bin2"],
      ["LCS", "bin1", "bin2", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"],
      ["SET", "num", "12345"],
      ["INCR", "num"],
      ["LCS", "num", "k1"],
      ["SET", "n2", "2346"],
      ["LCS", "num", "n2", "IDX"],
      ["LCS", "k1", "k2", "IDX", "LEN"],
      ["LCS", "k1", "k2", "LEN", "IDX"],
      ["LCS", "k1", "k2", "MINMATCHLEN"],
      ["LCS", "k1", "k2", "MINMATCHLEN", "x"],
      ["LCS", "k1", "k2", "FOO"],
      ["RPUSH", "list", "x"],
      ["LCS", "k1", "list"],
      ["LCS", "list", "missing", "FOO"],
      ["LCS", "k1"]
    ]
  },
  {
    // Redis tests strtod's errno without clearing it first: after an out-of-range value, the
    // connection's next numeric SORTs fail too (until a new connection resets errno). So these
    // come last, each in a script of its own.
    name: "SORT refuses a number that overflows",
    steps: [
      ["RPUSH", "big", "1", "1e500"],
      ["SORT", "big", "ALPHA"],
      ["SORT", "big"]
    ]
  },
  {
    name: "SORT refuses a decimal number that underflows",
    steps: [
      ["RPUSH", "small", "1e-310", "1"],
      ["SORT", "small"],
      ["SORT", "small", "BY", "nosort"]
    ]
  }
]
