/**
 * A server's whole dataset as one comparable value, read over RESP: every key of every database
 * with its type, its value (collections in a canonical order) and its absolute expiry. Used to
 * check that what a server restarts with (from its AOF or RDB) is what it had, and that Redis
 * loads our files into the same dataset.
 */
import { RawClient } from "./RawClient.js"
import { type Reply, showReply } from "./RespReader.js"

const bulks = (reply: Reply): Array<string> =>
  reply.kind === "array" && reply.value !== null ? reply.value.map((item) => String(item.value)) : []

const pairs = (flat: Array<string>): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`)
  return out
}

export interface DatasetEntry {
  readonly db: number
  readonly key: string
  readonly type: string
  readonly value: unknown
  /** PEXPIRETIME: -1 without expiry. */
  readonly expireAt: string
}

/** Every key of databases 0..databases-1, sorted by db and key. */
export const datasetOf = async (port: number, databases = 16): Promise<Array<DatasetEntry>> => {
  const client = await RawClient.connect(port)
  try {
    const entries: Array<DatasetEntry> = []
    for (let db = 0; db < databases; db++) {
      await client.call("SELECT", String(db))
      const keys = bulks(await client.call("KEYS", "*")).sort()
      for (const key of keys) {
        const type = String((await client.call("TYPE", key)).value)
        let value: unknown
        switch (type) {
          case "string":
            value = (await client.call("GET", key)).value
            break
          case "list":
            value = bulks(await client.call("LRANGE", key, "0", "-1"))
            break
          case "hash":
            value = pairs(bulks(await client.call("HGETALL", key))).sort()
            break
          case "set":
            value = bulks(await client.call("SMEMBERS", key)).sort()
            break
          case "zset":
            value = pairs(bulks(await client.call("ZRANGE", key, "0", "-1", "WITHSCORES")))
            break
          default:
            value = showReply(await client.call("TYPE", key))
        }
        entries.push({ db, key, type, value, expireAt: String((await client.call("PEXPIRETIME", key)).value) })
      }
    }
    return entries
  } finally {
    client.close()
  }
}

/** Commands that leave one of everything: each type, binary bytes, TTLs, several databases. */
export const VARIETY: ReadonlyArray<ReadonlyArray<string>> = [
  ["SET", "plain", "hello"],
  ["SET", "binary", "\x00\xff\r\n\x7f"],
  ["SET", "long", "x".repeat(5000)],
  ["SET", "counter", "10"],
  ["INCRBY", "counter", "32"],
  ["INCRBYFLOAT", "float", "1.1"],
  ["INCRBYFLOAT", "float", "2.25"],
  ["SET", "ttl", "soon", "EX", "1000"],
  ["SET", "ttl-ms", "v", "PX", "5000000"],
  ["SETEX", "setex", "2000", "v"],
  ["SET", "gone", "v"],
  ["PEXPIRE", "gone", "1"],
  ["APPEND", "plain", " world"],
  ["RPUSH", "list", "a", "b", "c", "1", "2"],
  ["LPUSH", "list", "head"],
  ["LPOP", "list"],
  ["HSET", "hash", "f1", "v1", "f2", "v2", "f3", "3"],
  ["HINCRBY", "hash", "f3", "4"],
  ["HDEL", "hash", "f2"],
  ["SADD", "ints", "1", "2", "3", "4"],
  ["SADD", "set", "a", "b", "c", "d", "e"],
  ["SPOP", "set"],
  ["ZADD", "zset", "1.5", "a", "2", "b", "-inf", "c", "1e300", "d"],
  ["ZINCRBY", "zset", "0.25", "a"],
  ["EXPIRE", "hash", "3000"],
  ["SELECT", "3"],
  ["SET", "other-db", "3"],
  ["RPUSH", "other-list", "x"],
  ["SELECT", "0"],
  ["MSET", "m1", "1", "m2", "2"],
  ["DEL", "m2"],
  ["RENAME", "m1", "renamed"],
  ["SET", "big-hash-seed", "1"]
]

/** Sends every command of `commands` on one connection and waits for all replies. */
export const runCommands = async (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<Reply>> => {
  const client = await RawClient.connect(port)
  try {
    const replies: Array<Reply> = []
    for (const command of commands) replies.push(await client.call(...command))
    return replies
  } finally {
    client.close()
  }
}
