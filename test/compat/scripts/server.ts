/**
 * Hand-written differential scripts for the server commands in scope (DBSIZE, TIME by shape,
 * CONFIG GET of the parameters both servers share), the error texts of unknown commands and
 * unknown subcommands, and a wrong-type script that runs once our server has a collection type.
 * Not compared on purpose: COMMAND COUNT (our table is smaller), HELP texts, CLIENT LIST.
 */
import { type Check, pairs, scan, type Script, type Step } from "../compare.js"
import { ALL_BYTES, AWKWARD_BYTES } from "../values.js"

const time = (...argv: Array<string>): Step => ({ argv, check: "time" as Check })

export const serverScripts: ReadonlyArray<Script> = [
  {
    name: "DBSIZE and TIME",
    steps: [
      ["DBSIZE"],
      ["MSET", "a", "1", "b", "2", "c", "3"],
      ["DBSIZE"],
      ["dbsize"],
      ["DBSIZE", "x"],
      time("TIME"),
      time("time"),
      ["TIME", "x"]
    ]
  },
  {
    name: "CONFIG GET",
    steps: [
      ["CONFIG", "GET", "save"],
      ["CONFIG", "GET", "appendonly"],
      ["CONFIG", "GET", "databases"],
      ["CONFIG", "GET", "maxclients"],
      ["CONFIG", "GET", "timeout"],
      ["CONFIG", "GET", "proto-max-bulk-len"],
      ["config", "get", "DATABASES"],
      ["CONFIG", "GET", "Timeout"],
      pairs("CONFIG", "GET", "databases", "timeout"),
      pairs("CONFIG", "GET", "save", "appendonly", "maxclients", "proto-max-bulk-len"),
      pairs("CONFIG", "GET", "timeout", "timeout"),
      ["CONFIG", "GET", "maxclient?"],
      ["CONFIG", "GET", "databas*"],
      ["CONFIG", "GET", "*-max-bulk-len"],
      ["CONFIG", "GET", "appendonl[xy]"],
      ["CONFIG", "GET", "time*"],
      ["CONFIG", "GET", "SAVE"],
      pairs("CONFIG", "GET", "databas*", "databases", "time?ut"),
      ["CONFIG", "GET", "no-such-parameter"],
      ["CONFIG", "GET", ""],
      pairs("CONFIG", "GET", "databases", "no-such-parameter"),
      ["CONFIG", "GET"],
      ["CONFIG"],
      ["CONFIG", "NOSUCHSUB"],
      ["CONFIG", "nosuchsub", "a", "b"]
    ]
  },
  {
    name: "unknown commands and subcommands",
    steps: [
      ["NOSUCHCOMMAND"],
      ["nosuchcommand", "a", "b", "c"],
      ["FOO", ""],
      ["FOO", "x".repeat(200)],
      ["FOO", "a".repeat(60), "b".repeat(60), "c".repeat(60)],
      ["FOO", ...Array.from({ length: 50 }, (_, i) => `arg${i}`)],
      ["X".repeat(200)],
      ["FOO", AWKWARD_BYTES],
      [ALL_BYTES.slice(1, 40)],
      [""],
      ["", "a"],
      ["GET\x00", "k"],
      ["CLIENT", "NOSUCH"],
      ["CLIENT", "x".repeat(200)],
      ["CONFIG", "NOSUCH", "x"],
      ["OBJECT", "NOSUCH", "k"],
      ["OBJECT", "x".repeat(200), "k"],
      ["PING"]
    ]
  },
  {
    name: "wrong types: string commands on a list key",
    requires: ["LPUSH"],
    steps: [
      ["LPUSH", "list", "a", "b"],
      ["TYPE", "list"],
      ["GET", "list"],
      ["SET", "list", "v", "GET"],
      ["SET", "list", "v", "NX", "GET"],
      ["GETSET", "list", "v"],
      ["GETDEL", "list"],
      ["GETEX", "list", "EX", "100"],
      ["MGET", "list", "missing"],
      ["INCR", "list"],
      ["DECRBY", "list", "2"],
      ["INCRBYFLOAT", "list", "1.5"],
      ["APPEND", "list", "x"],
      ["STRLEN", "list"],
      ["GETRANGE", "list", "0", "1"],
      ["SETRANGE", "list", "0", "x"],
      ["SETRANGE", "list", "0", ""],
      ["SETNX", "list", "v"],
      ["MSETNX", "list", "v", "other", "w"],
      ["EXISTS", "other"],
      ["EXPIRE", "list", "100"],
      ["PERSIST", "list"],
      ["RENAME", "list", "moved"],
      ["TYPE", "moved"],
      ["COPY", "moved", "copied"],
      ["TYPE", "copied"],
      ["SET", "copied", "now a string"],
      ["TYPE", "copied"],
      scan("SCAN", "0", "TYPE", "list"),
      ["DEL", "moved"],
      ["EXISTS", "moved"]
    ]
  }
]
