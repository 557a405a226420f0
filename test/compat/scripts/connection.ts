/**
 * Hand-written differential scripts for the connection commands: PING, ECHO, SELECT, QUIT, RESET,
 * HELLO (RESP2 only: `HELLO 3` is a known, intended difference until RESP3 lands) and CLIENT
 * ID/SETNAME/GETNAME (CLIENT ID's value and CLIENT LIST differ by nature and are not compared).
 */
import { type Check, kindOnly, pipeline, quit, type Script, type Step } from "../compare.js"
import { ALL_BYTES, AWKWARD_BYTES, INT64_MAX, INT64_MAX_PLUS_ONE, INT64_MIN } from "../values.js"

const hello = (...argv: Array<string>): Step => ({ argv, check: "hello" as Check })

export const connectionScripts: ReadonlyArray<Script> = [
  {
    name: "PING and ECHO",
    steps: [
      ["PING"],
      ["ping"],
      ["PiNg"],
      ["PING", "hello"],
      ["PING", ""],
      ["PING", ALL_BYTES],
      ["PING", "a", "b"],
      ["PING", "a", "b", "c"],
      ["ECHO", "hello"],
      ["echo", ""],
      ["ECHO", ALL_BYTES],
      ["ECHO", AWKWARD_BYTES],
      ["ECHO", "x".repeat(10_000)],
      ["ECHO"],
      ["ECHO", "a", "b"]
    ]
  },
  {
    name: "SELECT: ranges, bad integers, isolation of databases",
    steps: [
      ["SELECT", "0"],
      ["SELECT", "15"],
      ["SELECT", "16"],
      ["SELECT", "-1"],
      ["SELECT", "abc"],
      ["SELECT", "1.5"],
      ["SELECT", ""],
      ["SELECT", " 1"],
      ["SELECT", "1 "],
      ["SELECT", "+1"],
      ["SELECT", "01"],
      ["SELECT", INT64_MAX],
      ["SELECT", INT64_MAX_PLUS_ONE],
      ["SELECT", INT64_MIN],
      ["SELECT"],
      ["SELECT", "1", "2"],
      ["SELECT", "1"],
      ["SET", "k", "in-db-1"],
      ["SELECT", "0"],
      ["GET", "k"],
      ["SET", "k", "in-db-0"],
      ["SELECT", "1"],
      ["GET", "k"],
      ["SELECT", "15"],
      ["GET", "k"],
      ["SELECT", "99"],
      ["GET", "k"]
    ]
  },
  {
    name: "QUIT replies and closes",
    steps: [
      ["SET", "k", "v"],
      quit("QUIT"),
      ["GET", "k"],
      quit("quit"),
      quit("QUIT", "extra", "args"),
      ["PING"]
    ]
  },
  {
    name: "QUIT after SELECT: the new connection starts in db 0",
    steps: [
      ["SELECT", "3"],
      ["SET", "k", "db3"],
      quit("QUIT"),
      ["GET", "k"],
      ["SELECT", "3"],
      ["GET", "k"]
    ]
  },
  {
    name: "QUIT inside a pipeline: replies up to it, nothing after it runs",
    steps: [
      pipeline(["SET", "k", "1"], ["INCR", "k"], ["QUIT"], ["INCR", "k"], ["PING"]),
      ["GET", "k"],
      pipeline(["PING"], ["ECHO", "x"], ["GET", "k"], ["SELECT", "1"], ["GET", "k"]),
      pipeline(["SELECT", "2"], ["SET", "k", "db2"], ["QUIT", "with", "args"], ["SET", "k", "never"]),
      ["GET", "k"],
      ["SELECT", "2"],
      ["GET", "k"]
    ]
  },
  {
    name: "RESET",
    steps: [
      ["RESET"],
      ["reset"],
      ["RESET", "extra"],
      ["SET", "k", "db0"],
      ["SELECT", "2"],
      ["SET", "k", "db2"],
      ["CLIENT", "SETNAME", "before-reset"],
      ["CLIENT", "GETNAME"],
      ["RESET"],
      ["CLIENT", "GETNAME"],
      ["GET", "k"],
      ["SELECT", "2"],
      ["GET", "k"],
      ["DBSIZE"]
    ]
  },
  {
    name: "HELLO in RESP2",
    steps: [
      hello("HELLO"),
      hello("hello"),
      hello("HELLO", "2"),
      ["HELLO", "1"],
      ["HELLO", "0"],
      ["HELLO", "4"],
      ["HELLO", "-1"],
      ["HELLO", "abc"],
      ["HELLO", "2.0"],
      ["HELLO", ""],
      ["HELLO", INT64_MAX_PLUS_ONE],
      ["HELLO", "2", "foo"],
      ["HELLO", "2", "SETNAME"],
      ["HELLO", "2", "AUTH"],
      ["HELLO", "2", "AUTH", "default"],
      hello("HELLO", "2", "SETNAME", "named-by-hello"),
      ["CLIENT", "GETNAME"],
      hello("HELLO", "2", "setname", "lower-case"),
      ["CLIENT", "GETNAME"],
      ["HELLO", "2", "SETNAME", "has space"],
      ["CLIENT", "GETNAME"],
      ["PING"]
    ]
  },
  {
    name: "CLIENT ID, SETNAME, GETNAME",
    steps: [
      kindOnly("CLIENT", "ID"),
      kindOnly("client", "id"),
      ["CLIENT", "ID", "extra"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "conn-1"],
      ["CLIENT", "GETNAME"],
      ["client", "setname", "Conn_2-x.y:z"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "has space"],
      ["CLIENT", "SETNAME", "new\nline"],
      ["CLIENT", "SETNAME", "tab\there"],
      ["CLIENT", "SETNAME", "\x00nul"],
      ["CLIENT", "SETNAME", "caf\xc3\xa9"],
      ["CLIENT", "SETNAME", "\x7f"],
      ["CLIENT", "SETNAME", "~!@#$%^&*()_+{}|:<>?"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", ""],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME"],
      ["CLIENT", "SETNAME", "a", "b"],
      ["CLIENT", "GETNAME", "extra"],
      ["CLIENT"],
      ["CLIENT", "NOSUCHSUB"],
      ["CLIENT", "nosuchsub", "x", "y"],
      ["CLIENT", ""]
    ]
  }
]
