/**
 * Memory accounting (src/keyspace/table/MemoryLedger.ts): the running totals a table keeps equal
 * what a walk over its keys computes, after every command of a long random sequence over every
 * collection family and the key commands that move values around (RENAME, MOVE, COPY, SWAPDB,
 * FLUSHDB, expiry); each collection's O(1) estimate equals the same estimate computed from its
 * contents; and the figures a table reports follow its records, heap strings and arrays.
 */
import { describe, expect, it } from "@effect/vitest"
import type { CommandContext } from "../../src/commands/Command.js"
import { MutableBytes } from "../../src/keyspace/values/MutableBytes.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import { AccessClock } from "../../src/keyspace/AccessClock.js"
import type { Database } from "../../src/keyspace/Database.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { MAX_RECORD_BYTES } from "../../src/keyspace/table/Arena.js"
import { KeyTable } from "../../src/keyspace/table/KeyTable.js"
import { HashValue } from "../../src/keyspace/values/HashValue.js"
import { ListValue } from "../../src/keyspace/values/ListValue.js"
import {
  ARRAY_SLOT_BYTES,
  HASH_BASE_BYTES,
  HASH_PACKED_BYTES,
  LIST_BASE_BYTES,
  LIST_PACKED_BYTES,
  MAP_ENTRY_BYTES,
  SET_BASE_BYTES,
  SET_PACKED_BYTES,
  stringBytes,
  ZSET_BASE_BYTES,
  ZSET_ELEMENT_BYTES,
  ZSET_PACKED_BYTES
} from "../../src/keyspace/values/memoryEstimate.js"
import { lengthPrefix, prefixSize } from "../../src/keyspace/values/PackedEntries.js"
import { intsetWidth, SetValue } from "../../src/keyspace/values/SetValue.js"
import { parseInteger } from "../../src/protocol/arguments.js"
import { SortedSetValue } from "../../src/keyspace/values/SortedSetValue.js"
import type { CollectionValue } from "../../src/keyspace/Value.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { detachedServerState } from "../../src/commands/ServerState.js"

/** A collection's estimate computed from what it holds (the value's own is kept incrementally). */
const estimateFromContents = (value: CollectionValue): number => {
  let total = 0
  if (value instanceof ListValue && (value as unknown as { packed: string | undefined }).packed !== undefined) {
    let packedLength = 0
    for (const element of value.toArray()) packedLength += element.length + 2 * prefixSize(element.length)
    total = LIST_PACKED_BYTES + stringBytes(packedLength)
  } else if (value instanceof ListValue) {
    total = LIST_BASE_BYTES + (value as unknown as { items: Array<unknown> }).items.length * ARRAY_SLOT_BYTES
    for (const element of value.toArray()) total += stringBytes(element.length)
  } else if (value instanceof HashValue && value.listpack) {
    let packedLength = 0
    for (const [field, text] of value.fields) {
      packedLength += lengthPrefix(field.length).length + field.length + lengthPrefix(text.length).length + text.length
    }
    total = HASH_PACKED_BYTES + stringBytes(packedLength)
  } else if (value instanceof HashValue) {
    total = HASH_BASE_BYTES
    for (const [field, text] of value.fields) total += MAP_ENTRY_BYTES + stringBytes(field.length) + stringBytes(text.length)
  } else if (value instanceof SetValue && value.intset) {
    // 16-bit chars, as wide as the widest member needs (an intset never narrows: at least that).
    let width = 1
    for (const member of value.toArray()) width = Math.max(width, intsetWidth(parseInteger(member)!))
    const chars = (value as unknown as { packed: string }).packed.length
    expect([1, 2, 4]).toContain(chars / value.size)
    expect(chars / value.size).toBeGreaterThanOrEqual(width)
    total = SET_PACKED_BYTES + stringBytes(2 * chars)
  } else if (value instanceof SetValue && value.scanIndex() === undefined) {
    let packedLength = 0
    for (const member of value.toArray()) packedLength += prefixSize(member.length) + member.length
    total = SET_PACKED_BYTES + stringBytes(packedLength)
  } else if (value instanceof SetValue) {
    total = SET_BASE_BYTES
    for (const member of value.toArray()) total += ARRAY_SLOT_BYTES + MAP_ENTRY_BYTES + stringBytes(member.length)
  } else if (value instanceof SortedSetValue && value.listpack) {
    let packedLength = 0
    for (const [member, score] of value.scores) {
      const text = String(score)
      packedLength += lengthPrefix(member.length).length + member.length + lengthPrefix(text.length).length + text.length
    }
    total = ZSET_PACKED_BYTES + stringBytes(packedLength)
    expect(value.tree.size).toBe(value.size)
  } else if (value instanceof SortedSetValue) {
    total = ZSET_BASE_BYTES
    for (const member of value.scores.keys()) total += ZSET_ELEMENT_BYTES + stringBytes(member.length)
    expect(value.tree.size).toBe(value.scores.size)
  } else {
    throw new Error(`unexpected value ${value.type}`)
  }
  return total
}

/** Checks one database's totals against a walk over its keys. */
const checkDatabase = (db: Database, step: string): void => {
  let objectBytes = 0
  let heapStrings = 0
  let heapStringBytes = 0
  for (const key of db.keys()) {
    if (key.length > 1024) {
      heapStrings++
      heapStringBytes += key.length
    }
    const value = db.table.valueOf(db.table.find(key))
    if (value instanceof MutableBytes) {
      objectBytes += value.memoryUsage()
      continue
    }
    if (typeof value === "string") {
      if (db.table.kindOf(db.table.find(key)) !== 0) {
        heapStrings++
        heapStringBytes += value.length
      }
      continue
    }
    const collection = value as CollectionValue
    expect([step, collection.memoryUsage()]).toEqual([step, estimateFromContents(collection)])
    objectBytes += collection.memoryUsage()
  }
  expect([step, db.table.objectBytes, db.table.heapStrings, db.table.heapStringBytes])
    .toEqual([step, objectBytes, heapStrings, heapStringBytes])
}

/** A deterministic generator (mulberry32), so a failure names a reproducible step. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("memory accounting", () => {
  it("running totals equal a walk over the keys after every command of a random sequence", () => {
    const keyspace = new Keyspace(2)
    const ctx: CommandContext = {
      keyspace,
      db: keyspace.databases[0],
      now: 1_000_000,
      out: new ReplyWriter(),
      client: new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {}),
      server: detachedServerState(commandTable)
    }
    const next = random(42)
    const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)]
    const int = (below: number) => Math.floor(next() * below)
    const keys = ["a", "b", "c", "d", "e", "f"]
    const element = () => pick(["x", "yy", "1", "22", "333", "v".repeat(int(80)), String(int(1000)), "w".repeat(70)])
    const elements = (most: number) => Array.from({ length: 1 + int(most) }, element)
    const pairs = (most: number, first: () => string) =>
      Array.from({ length: 1 + int(most) }, () => [first(), element()]).flat()
    const score = () => String(int(50) - 25)
    const templates: ReadonlyArray<() => Array<string>> = [
      () => ["LPUSH", pick(keys), ...elements(5)],
      () => ["RPUSH", pick(keys), ...elements(300)],
      () => ["LPOP", pick(keys), String(1 + int(3))],
      () => ["RPOP", pick(keys)],
      () => ["LSET", pick(keys), String(int(5) - 2), element()],
      () => ["LINSERT", pick(keys), pick(["BEFORE", "AFTER"]), element(), element()],
      () => ["LREM", pick(keys), String(int(5) - 2), element()],
      () => ["LTRIM", pick(keys), String(int(6) - 3), String(int(8) - 3)],
      () => ["LMOVE", pick(keys), pick(keys), pick(["LEFT", "RIGHT"]), pick(["LEFT", "RIGHT"])],
      () => ["HSET", pick(keys), ...pairs(6, element)],
      () => ["HDEL", pick(keys), ...elements(3)],
      () => ["HINCRBY", pick(keys), element(), String(int(100))],
      () => ["HINCRBYFLOAT", pick(keys), element(), "1.5"],
      () => ["SADD", pick(keys), ...elements(8)],
      () => ["SREM", pick(keys), ...elements(3)],
      () => ["SPOP", pick(keys), String(int(4))],
      () => ["SMOVE", pick(keys), pick(keys), element()],
      () => [pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), pick(keys), pick(keys), pick(keys)],
      () => ["ZADD", pick(keys), ...pairs(6, score)],
      () => ["ZADD", pick(keys), ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat()],
      () => ["ZREM", pick(keys), ...elements(3)],
      () => ["ZINCRBY", pick(keys), score(), element()],
      () => ["ZPOPMIN", pick(keys), String(int(3))],
      () => ["ZREMRANGEBYRANK", pick(keys), String(int(4)), String(int(400) - 40)],
      () => ["ZREMRANGEBYSCORE", pick(keys), score(), score()],
      () => [pick(["ZUNIONSTORE", "ZINTERSTORE"]), pick(keys), "2", pick(keys), pick(keys)],
      () => ["ZRANGESTORE", pick(keys), pick(keys), "0", String(int(5))],
      () => ["DEL", pick(keys)],
      () => ["RENAME", pick(keys), pick(keys)],
      () => ["COPY", pick(keys), pick(keys), ...(next() < 0.5 ? ["REPLACE"] : []), ...(next() < 0.3 ? ["DB", "1"] : [])],
      () => ["MOVE", pick(keys), "1"],
      () => ["SWAPDB", "0", "1"],
      () => ["SELECT", String(int(2))],
      () => ["SET", pick(keys), pick(["short", "s".repeat(MAX_RECORD_BYTES + int(100))])],
      () => ["APPEND", pick(keys), "t".repeat(int(3000))],
      () => ["SETBIT", pick(keys), String(int(next() < 0.5 ? 500 : 40_000)), String(int(2))],
      () => ["BITFIELD", pick(keys), "INCRBY", "u8", `#${int(next() < 0.5 ? 50 : 6000)}`, "1"],
      () => ["BITOP", pick(["AND", "OR"]), pick(keys), pick(keys), pick(keys)],
      () => ["PFADD", pick(keys), ...elements(5)],
      () => ["SET", "k".repeat(1025 + int(3)), element()],
      () => ["DEL", "k".repeat(1025 + int(3))],
      () => ["PEXPIRE", pick(keys), String(int(3))],
      () => (next() < 0.1 ? ["FLUSHDB"] : ["PING"])
    ]
    for (let step = 0; step < 4000; step++) {
      const argv = pick(templates)()
      ctx.now += int(2)
      executeCommand(ctx, argv)
      ctx.out.take()
      // Passive expiry happens on access; the sweeper too.
      if (step % 50 === 0) keyspace.sweepExpired(ctx.now)
      const label = `step ${step}: ${argv.slice(0, 4).join(" ").slice(0, 60)}`
      expect(keyspace.memory.hasPending).toBe(false)
      for (const db of keyspace.databases) checkDatabase(db, label)
    }
  })

  it("a table's figure follows records, heap strings, buckets and TTL slots", () => {
    const table = new KeyTable(new AccessClock())
    const empty = table.memoryBytes
    // Empty: 4 buckets of 4 bytes and 16 TTL slots of 12.
    expect(empty).toBe(4 * 4 + 16 * 12)
    table.put("key", "value", false)
    expect(table.memoryBytes).toBe(empty + table.arena.usedBytes)
    const long = "L".repeat(MAX_RECORD_BYTES * 2)
    table.put("big", long, false)
    // A record for the key, the string with its header, and one heap slot.
    expect(table.heapStrings).toBe(1)
    expect(table.memoryBytes).toBe(empty + table.arena.usedBytes + long.length + 16 + 8)
    table.remove("big")
    expect(table.heapStrings).toBe(0)
    const list = ListValue.of(["a", "b"])
    table.put("list", list, false)
    expect(table.objectBytes).toBe(list.memoryUsage())
    // Growing in place counts once settled, after `noteChange` announced it.
    table.noteChange(table.find("list"))
    list.pushTail("c".repeat(1000))
    expect(table.objectBytes).toBe(ListValue.of(["a", "b"]).memoryUsage())
    table.settlePending()
    expect(table.objectBytes).toBe(list.memoryUsage())
    table.remove("list")
    expect(table.objectBytes).toBe(0)
  })

  it("findRecent (willModify's lookup) never answers a record that was freed or moved", () => {
    const table = new KeyTable(new AccessClock())
    const a = table.put("a", "1", false)
    expect(table.find("a")).toBe(a)
    expect(table.findRecent("a")).toBe(a)
    // Freed, and the key stored again (the record may be reused for another key first).
    table.remove("a")
    table.put("b", "2", false)
    expect(table.findRecent("a")).toBe(-1)
    table.put("a", "3", false)
    expect(table.findRecent("a")).toBe(table.find("a"))
    expect(table.valueOf(table.findRecent("a"))).toBe("3")
    // Moved to a bigger record by a longer value.
    expect(table.find("a")).not.toBe(-1)
    table.put("a", "x".repeat(300), true)
    const moved = table.findRecent("a")
    expect(table.valueOf(moved)).toBe("x".repeat(300))
    // A random mix of writes: findRecent always agrees with find.
    const next = random(7)
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(next() * 50)}`
      const op = Math.floor(next() * 4)
      if (op === 0) table.put(key, "v".repeat(Math.floor(next() * 200)), next() < 0.5)
      else if (op === 1) table.remove(key)
      else if (op === 2) table.find(key)
      else expect(table.findRecent(key)).toBe(table.find(key))
    }
  })

  it("the keyspace total is the sum of its databases, settled", () => {
    const keyspace = new Keyspace(3)
    const hash = new HashValue()
    keyspace.databases[2].set("h", hash)
    hash.set("field", "v".repeat(500))
    const expected = keyspace.databases.reduce((sum, db) => sum + db.table.memoryBytes, 0) -
      keyspace.databases[2].table.objectBytes + hash.memoryUsage()
    expect(keyspace.memoryBytes()).toBe(expected)
    expect(keyspace.memory.hasPending).toBe(false)
  })
})
