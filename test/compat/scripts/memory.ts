/**
 * Hand-written differential scripts for MEMORY and OBJECT's introspection: help texts, argument
 * errors and the replies whose value is fixed (a missing key, PURGE). Figures that measure this
 * process (USAGE of a key, DOCTOR, MALLOC-STATS) are compared by kind; STATS's fields are compared
 * by name and kind in test/commands/memory.test.ts.
 */
import { kindOnly, pairs, type Script, type StepInput } from "../compare.js"

/** Data-structure, defrag and lazy-freeing parameters, as Redis 7.0 names them (aliases included). */
const PARAMETERS = [
  "list-compress-depth", "list-max-listpack-size", "list-max-ziplist-size",
  "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries", "hash-max-ziplist-value",
  "set-max-intset-entries",
  "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries", "zset-max-ziplist-value",
  "hll-sparse-max-bytes", "stream-node-max-bytes", "stream-node-max-entries",
  "activedefrag", "active-defrag-ignore-bytes", "active-defrag-threshold-lower", "active-defrag-threshold-upper",
  "active-defrag-cycle-min", "active-defrag-cycle-max", "active-defrag-max-scan-fields",
  "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
  "lazyfree-lazy-user-flush", "replica-lazy-flush", "activerehashing", "sanitize-dump-payload"
]
/** Values that reach each kind of validation: integers in and out of range, memory sizes, booleans, junk. */
const TRIED = ["-1", "0", "1", "5", "99", "100", "1000", "1001", "1k", "2mb", "2147483648", "9223372036854775807",
  "99999999999999999999", "abc", "", "yes", "NO", "clients", "1.5", "-3"]

/** Each parameter: its default, then every tried value (the error or the value GET shows), then the default back. */
const parameterSteps = (name: string): Array<StepInput> => [
  pairs("CONFIG", "GET", name),
  ...TRIED.flatMap((value) => [["CONFIG", "SET", name, value], pairs("CONFIG", "GET", name)])
]

export const memoryScripts: ReadonlyArray<Script> = [
  {
    name: "MEMORY HELP, USAGE and its errors, PURGE, DOCTOR, MALLOC-STATS",
    steps: [
      ["MEMORY", "HELP"],
      ["memory", "help"],
      ["MEMORY"],
      ["MEMORY", "HELP", "extra"],
      ["MEMORY", "NOSUCH"],
      ["MEMORY", "USAGE"],
      ["MEMORY", "USAGE", "missing"],
      ["MEMORY", "USAGE", "missing", "SAMPLES", "5"],
      ["SET", "s", "value"],
      ["RPUSH", "l", "a", "b", "c"],
      ["HSET", "h", "f", "v"],
      ["SADD", "set", "1", "2"],
      ["ZADD", "z", "1", "m"],
      kindOnly("MEMORY", "USAGE", "s"),
      kindOnly("MEMORY", "USAGE", "l"),
      kindOnly("MEMORY", "USAGE", "h", "SAMPLES", "0"),
      kindOnly("MEMORY", "USAGE", "set", "samples", "100"),
      kindOnly("MEMORY", "USAGE", "z", "SAMPLES", "1", "SAMPLES", "2"),
      ["MEMORY", "USAGE", "s", "SAMPLES"],
      ["MEMORY", "USAGE", "s", "SAMPLES", "x"],
      ["MEMORY", "USAGE", "s", "SAMPLES", "-1"],
      ["MEMORY", "USAGE", "s", "SAMPLES", "99999999999999999999"],
      ["MEMORY", "USAGE", "s", "BOGUS"],
      ["MEMORY", "USAGE", "missing", "BOGUS"],
      ["MEMORY", "PURGE"],
      ["MEMORY", "PURGE", "x"],
      kindOnly("MEMORY", "DOCTOR"),
      ["MEMORY", "DOCTOR", "x"],
      kindOnly("MEMORY", "MALLOC-STATS"),
      ["MEMORY", "MALLOC-STATS", "x"],
      ["MEMORY", "STATS", "x"]
    ]
  },
  {
    name: "OBJECT HELP, FREQ and IDLETIME under LRU and LFU policies",
    steps: [
      ["OBJECT", "HELP"],
      ["OBJECT"],
      ["OBJECT", "NOSUCH", "k"],
      ["SET", "k", "v"],
      ["OBJECT", "FREQ", "k"],
      ["OBJECT", "FREQ", "missing"],
      ["OBJECT", "IDLETIME", "k"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
      ["OBJECT", "IDLETIME", "k"],
      ["SET", "fresh", "v"],
      ["OBJECT", "FREQ", "fresh"],
      ["OBJECT", "FREQ", "missing"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"],
      ["OBJECT", "FREQ", "fresh"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-lru"],
      ["OBJECT", "FREQ", "fresh"],
      ["CONFIG", "SET", "maxmemory-policy", "noeviction"]
    ]
  },
  {
    name: "CONFIG SET and GET of data-structure, defrag and lazy-freeing parameters",
    steps: [
      ...PARAMETERS.flatMap(parameterSteps),
      pairs("CONFIG", "GET", "*-max-listpack-*"),
      pairs("CONFIG", "GET", "*-max-ziplist-*"),
      pairs("CONFIG", "GET", "lazyfree-*"),
      pairs("CONFIG", "GET", "active-defrag-*"),
      pairs("CONFIG", "GET", "stream-*"),
      ["CONFIG", "SET", "list-compress-depth", "1", "hll-sparse-max-bytes", "1"],
      ["CONFIG", "SET", "list-compress-depth", "2", "activedefrag", "yes"],
      pairs("CONFIG", "GET", "list-compress-depth"),
      ["CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-ziplist-entries", "512"],
      ["CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
        "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64", "set-max-intset-entries", "512",
        "list-max-listpack-size", "-2", "list-compress-depth", "0", "hll-sparse-max-bytes", "3000",
        "stream-node-max-bytes", "4096", "stream-node-max-entries", "100", "active-defrag-ignore-bytes", "104857600",
        "active-defrag-threshold-lower", "10", "active-defrag-threshold-upper", "100", "active-defrag-cycle-min", "1",
        "active-defrag-cycle-max", "25", "active-defrag-max-scan-fields", "1000", "lazyfree-lazy-eviction", "no",
        "lazyfree-lazy-expire", "no", "lazyfree-lazy-server-del", "no", "lazyfree-lazy-user-del", "no",
        "lazyfree-lazy-user-flush", "no", "replica-lazy-flush", "no", "activerehashing", "yes",
        "sanitize-dump-payload", "no"]
    ]
  }
]
