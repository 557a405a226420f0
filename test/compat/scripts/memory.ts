/**
 * Hand-written differential scripts for MEMORY and OBJECT's introspection: help texts, argument
 * errors and the replies whose value is fixed (a missing key, PURGE). Figures that measure this
 * process (USAGE of a key, DOCTOR, MALLOC-STATS) are compared by kind; STATS's fields are compared
 * by name and kind in test/commands/memory.test.ts.
 */
import { kindOnly, type Script } from "../compare.js"

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
  }
]
