/**
 * Hand-written differential scripts for the blocking commands. Clients block on numbered
 * connections (`block` waits until both servers report them blocked, so the order in which they
 * blocked is the same on both), another connection pushes, and `drain` compares what each blocked
 * connection was sent. Timeouts are short and compared by their replies, not their timing.
 */
import { block, collect, drain, on, other, type Script, sendOn, sleep } from "../compare.js"

export const blockingScripts: ReadonlyArray<Script> = [
  {
    name: "served at once when there is something to pop",
    requires: ["BLPOP"],
    steps: [
      ["RPUSH", "b1:l", "a", "b", "c"],
      ["ZADD", "b1:z", "1", "x", "2", "y", "3", "z"],
      ["BLPOP", "b1:none", "b1:l", "0"],
      ["BRPOP", "b1:l", "1"],
      ["BLMOVE", "b1:l", "b1:d", "LEFT", "LEFT", "0"],
      ["BRPOPLPUSH", "b1:d", "b1:d", "0"],
      ["BLMPOP", "0", "2", "b1:none", "b1:d", "RIGHT", "COUNT", "9"],
      ["BZPOPMIN", "b1:none", "b1:z", "0"],
      ["BZPOPMAX", "b1:z", "0"],
      ["BZMPOP", "0", "1", "b1:z", "MIN", "COUNT", "3"],
      ["SET", "b1:s", "x"],
      ["BLPOP", "b1:s", "0"],
      ["BZPOPMIN", "b1:s", "0"],
      ["BLMOVE", "b1:s", "b1:d", "LEFT", "LEFT", "0"],
      ["RPUSH", "b1:l", "q"],
      ["BLMOVE", "b1:l", "b1:s", "LEFT", "LEFT", "0"],
      ["LLEN", "b1:l"]
    ]
  },
  {
    name: "argument errors",
    requires: ["BLPOP"],
    steps: [
      ["BLPOP", "b2:k"],
      ["BLPOP", "b2:k", "-1"],
      ["BLPOP", "b2:k", "x"],
      ["BLPOP", "b2:k", "inf"],
      ["BLPOP", "b2:k", "+inf"],
      ["BLPOP", "b2:k", "1e100"],
      ["BRPOP", "b2:k", "0x"],
      ["BLMOVE", "b2:k", "b2:d", "LEFT", "X", "0"],
      ["BLMOVE", "b2:k", "b2:d", "LEFT", "RIGHT", "nan"],
      ["BRPOPLPUSH", "b2:k", "b2:d", "-0.5"],
      ["BLMPOP", "0", "0", "b2:k", "LEFT"],
      ["BLMPOP", "-1", "1", "b2:k", "LEFT"],
      ["BLMPOP", "0", "1", "b2:k", "LEFT", "COUNT", "-1"],
      ["BLMPOP", "0", "1", "b2:k", "LEFT", "COUNT", "1", "COUNT", "2"],
      ["BLMPOP", "0", "3", "b2:k", "LEFT"],
      ["BZMPOP", "0", "1", "b2:k", "LEFT"],
      ["BZMPOP", "x", "1", "b2:k", "MIN"],
      ["BZMPOP", "0", "99999999999999999999", "b2:k", "MIN"],
      ["BZPOPMIN", "b2:k", "-0.0011"],
      ["BZPOPMAX"],
      ["CLIENT", "UNBLOCK", "0"],
      ["CLIENT", "UNBLOCK", "0", "error"],
      ["CLIENT", "UNBLOCK", "0", "never"]
    ]
  },
  {
    name: "first come, first served, and what is left",
    requires: ["BLPOP"],
    steps: [
      block(2, 1, "BLPOP", "b3:l", "0"),
      block(3, 2, "BRPOP", "b3:x", "b3:l", "0"),
      block(4, 3, "BLMPOP", "0", "1", "b3:l", "LEFT", "COUNT", "2"),
      ["RPUSH", "b3:l", "1", "2", "3", "4", "5", "6"],
      drain(2),
      drain(3),
      drain(4),
      ["LRANGE", "b3:l", "0", "-1"],
      block(2, 1, "BLPOP", "b3:l", "b3:x", "0"),
      ["RPUSH", "b3:x", "only"],
      drain(2),
      ["LRANGE", "b3:l", "0", "-1"]
    ]
  },
  {
    name: "BLMOVE chains and sorted-set waiters",
    requires: ["BLMOVE", "BZPOPMIN"],
    steps: [
      block(2, 1, "BLMOVE", "b4:a", "b4:b", "RIGHT", "LEFT", "0"),
      block(3, 2, "BRPOPLPUSH", "b4:b", "b4:c", "0"),
      block(4, 3, "BLPOP", "b4:c", "0"),
      ["LPUSH", "b4:a", "m"],
      drain(2),
      drain(3),
      drain(4),
      ["EXISTS", "b4:a", "b4:b", "b4:c"],
      block(2, 1, "BZPOPMIN", "b4:z1", "b4:z2", "0"),
      block(3, 2, "BZMPOP", "0", "2", "b4:z2", "b4:z1", "MAX", "COUNT", "1"),
      block(4, 3, "BZPOPMAX", "b4:z2", "0"),
      ["ZADD", "b4:z2", "1", "a", "2.5", "b", "-inf", "c"],
      drain(2),
      drain(3),
      drain(4),
      ["EXISTS", "b4:z2"]
    ]
  },
  {
    name: "pushes inside a transaction serve after EXEC",
    requires: ["BLPOP", "MULTI"],
    steps: [
      block(2, 1, "BLPOP", "b5:l", "0"),
      block(3, 2, "BZPOPMIN", "b5:z", "0"),
      ["MULTI"],
      ["RPUSH", "b5:l", "a", "b"],
      ["ZADD", "b5:z", "1", "m"],
      ["LPOP", "b5:l"],
      ["ZREM", "b5:z", "m"],
      ["EXEC"],
      drain(2),
      ["LRANGE", "b5:l", "0", "-1"],
      ["ZADD", "b5:z", "2", "n"],
      drain(3)
    ]
  },
  {
    name: "other types, RENAME, MOVE and SWAPDB",
    requires: ["BLPOP", "SWAPDB"],
    steps: [
      block(2, 1, "BLPOP", "b6:k", "0"),
      ["SET", "b6:k", "string"],
      ["HSET", "b6:h", "f", "v"],
      ["RENAME", "b6:h", "b6:k"],
      ["DEL", "b6:k"],
      ["RPUSH", "b6:tmp", "renamed"],
      ["RENAME", "b6:tmp", "b6:k"],
      drain(2),
      block(2, 1, "BLPOP", "b6:k", "0"),
      on(3, "SELECT", "1"),
      on(3, "RPUSH", "b6:k", "moved"),
      on(3, "MOVE", "b6:k", "0"),
      drain(2),
      block(2, 1, "BLPOP", "b6:k", "0"),
      on(3, "RPUSH", "b6:k", "swapped"),
      ["SWAPDB", "1", "0"],
      drain(2),
      ["EXISTS", "b6:k"]
    ]
  },
  {
    name: "timeouts, CLIENT UNBLOCK and leaving",
    requires: ["BLPOP", "CLIENT"],
    steps: [
      block(2, 1, "BLPOP", "b7:l", "0.05"),
      sleep(250),
      drain(2),
      block(2, 1, "BLMOVE", "b7:l", "b7:d", "LEFT", "RIGHT", "0.02"),
      sleep(250),
      drain(2),
      on(2, "BZMPOP", "0.01", "1", "b7:z", "MIN"),
      block(2, 1, "BLPOP", "b7:l", "0"),
      sendOn(2, "SET", "b7:after", "queued behind the BLPOP"),
      ["GET", "b7:after"],
      ["CLIENT", "UNBLOCK", "0", "TIMEOUT"],
      ["RPUSH", "b7:l", "x"],
      drain(2),
      ["GET", "b7:after"],
      ["LRANGE", "b7:l", "0", "-1"]
    ]
  },
  {
    name: "keyspace notifications of served and immediate pops, and of a transaction",
    requires: ["BLPOP", "SUBSCRIBE", "MULTI"],
    steps: [
      other("CONFIG", "SET", "notify-keyspace-events", "KEA"),
      collect("PSUBSCRIBE", "__key*__:b8:*"),
      block(2, 1, "BLPOP", "b8:l", "0"),
      block(3, 2, "BLMOVE", "b8:src", "b8:dst", "LEFT", "RIGHT", "0"),
      block(4, 3, "BZPOPMIN", "b8:z", "0"),
      other("RPUSH", "b8:l", "a", "b"),
      other("RPUSH", "b8:src", "x"),
      other("ZADD", "b8:z", "1", "m", "2", "n"),
      drain(2),
      drain(3),
      drain(4),
      block(2, 1, "BLMPOP", "0", "1", "b8:l2", "RIGHT", "COUNT", "5"),
      other("MULTI"),
      other("RPUSH", "b8:l2", "p", "q"),
      other("LPUSH", "b8:l", "c"),
      other("EXEC"),
      drain(2),
      on(2, "BRPOP", "b8:l", "0"),
      on(2, "BZMPOP", "0", "1", "b8:z", "MAX"),
      on(2, "BRPOPLPUSH", "b8:dst", "b8:dst", "0"),
      other("PING"),
      collect("PUNSUBSCRIBE"),
      other("CONFIG", "SET", "notify-keyspace-events", "")
    ]
  }
]
