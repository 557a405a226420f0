/**
 * The KeyTable against a plain Map model: random puts (short, long and object values, values that
 * outgrow their record), removals, TTLs set and cleared, through resizes both ways. After every
 * operation sequence the table holds exactly the model; SCAN's guarantee holds while keys churn
 * between steps; random picks and the list of keys with a TTL stay consistent.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { classOf, classSize, MAX_RECORD_BYTES } from "../../src/keyspace/table/Arena.js"
import { AccessClock } from "../../src/keyspace/AccessClock.js"
import { hashBytes, hashKey } from "../../src/keyspace/table/KeyHash.js"
import { KeyTable, nextSnapshotEpoch } from "../../src/keyspace/table/KeyTable.js"
import { HEADER_BYTES } from "../../src/keyspace/table/Record.js"
import { parseInteger } from "../../src/protocol/arguments.js"

interface Entry {
  value: unknown
  expireAt: number | undefined
}

const bytes = (length: number, seed: number) =>
  Array.from({ length }, (_, i) => String.fromCharCode((seed * 31 + i * 7) & 0xff)).join("")

const keyArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 300 }).map((n) => `key:${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => bytes(1500 + n, n)) }, // long keys (on the heap)
  { weight: 1, arbitrary: fc.constantFrom("", "\x00", "\xff\x00\xfe") }
)

const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 5000 }).map((n) => bytes(n, n)) }, // up to past MAX_RECORD_BYTES
  { weight: 1, arbitrary: fc.constant({ kind: "object" }) }
)

type Op =
  | { op: "put"; key: string; value: unknown; keep: boolean }
  | { op: "remove"; key: string }
  | { op: "expire"; key: string; at: number }
  | { op: "persist"; key: string }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("put" as const), key: keyArb, value: valueArb, keep: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("remove" as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("expire" as const), key: keyArb, at: fc.integer({ min: 1, max: 1e12 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("persist" as const), key: keyArb }) }
)

const apply = (table: KeyTable, model: Map<string, Entry>, op: Op) => {
  switch (op.op) {
    case "put": {
      const old = model.get(op.key)
      table.put(op.key, op.value, op.keep)
      model.set(op.key, { value: op.value, expireAt: op.keep ? old?.expireAt : undefined })
      break
    }
    case "remove":
      expect(table.remove(op.key)).toBe(model.delete(op.key))
      break
    case "expire": {
      const ref = table.find(op.key)
      const entry = model.get(op.key)
      expect(ref === -1).toBe(entry === undefined)
      if (entry !== undefined) {
        table.setExpire(ref, op.at)
        entry.expireAt = op.at
      }
      break
    }
    case "persist": {
      const ref = table.find(op.key)
      const entry = model.get(op.key)
      if (entry !== undefined) {
        expect(table.clearExpire(ref)).toBe(entry.expireAt !== undefined)
        entry.expireAt = undefined
      }
      break
    }
  }
}

const expectSame = (table: KeyTable, model: Map<string, Entry>) => {
  expect(table.size).toBe(model.size)
  expect(new Set(table.keys())).toEqual(new Set(model.keys()))
  let volatile = 0
  for (const [key, entry] of model) {
    const ref = table.find(key)
    expect(ref).not.toBe(-1)
    expect(table.keyOf(ref)).toBe(key)
    expect(table.valueOf(ref)).toBe(entry.value)
    expect(table.expireAt(ref)).toBe(entry.expireAt)
    if (entry.expireAt !== undefined) volatile++
  }
  expect(table.volatileCount).toBe(volatile)
  const volatileKeys = new Set<string>()
  for (let i = 0; i < table.volatileCount; i++) volatileKeys.add(table.keyOf(table.volatileRef(i)))
  expect(volatileKeys.size).toBe(volatile)
  for (const key of volatileKeys) expect(model.get(key)?.expireAt).not.toBeUndefined()
}

describe("KeyTable", () => {
  it("matches a Map model through random puts, removals and TTL changes", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const table = new KeyTable(new AccessClock())
        const model = new Map<string, Entry>()
        for (const op of ops) apply(table, model, op)
        expectSame(table, model)
      }),
      { numRuns: 150 }
    )
  })

  it("a key's hash read from its bytes in a record is its hash as a string", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 }), fc.nat(7), (length, seed, offset) => {
        const key = bytes(length, seed)
        const buffer = Buffer.alloc(offset + length)
        buffer.write(key, offset, "latin1")
        expect(hashBytes(buffer, offset, length)).toBe(hashKey(key))
      })
    )
  })

  it("grows and shrinks through incremental rehashing, keeping every key findable", () => {
    const table = new KeyTable(new AccessClock())
    for (let i = 0; i < 20_000; i++) {
      table.put(`k${i}`, `v${i}`, false)
      // Lookups during a resize see both tables.
      if (i % 997 === 0) for (let j = 0; j <= i; j += 101) expect(table.valueOf(table.find(`k${j}`))).toBe(`v${j}`)
    }
    while (table.rehashSome(1000));
    expect(table.bucketCount).toBe(32_768)
    for (let i = 0; i < 19_990; i++) expect(table.remove(`k${i}`)).toBe(true)
    // A few cron cycles: each starts the next shrink once the previous one is done.
    for (let cycle = 0; cycle < 20; cycle++) table.rehashSome(1000)
    expect(table.bucketCount).toBeLessThanOrEqual(128)
    expect(new Set(table.keys())).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `k${19_990 + i}`)))
  })

  it("SCAN returns every key present for the whole walk, while others come and go and the table resizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (stable, churn, seed) => {
        const table = new KeyTable(new AccessClock())
        for (let i = 0; i < stable; i++) table.put(`stable:${i}`, "v", false)
        for (let i = 0; i < 500; i++) table.put(`doomed:${i}`, "v", false)
        const seen = new Set<string>()
        let cursor = 0
        let step = 0
        let added = 0
        do {
          cursor = table.scanStep(cursor, (ref) => seen.add(table.keyOf(ref)))
          // Between steps: delete a few, add more (growing past resizes), move a rehash along.
          for (let i = 0; i < churn; i++) {
            table.remove(`doomed:${(step * churn + i + seed) % 500}`)
            if (added < 4000) table.put(`new:${added++}`, "v", false)
          }
          table.rehashSome(seed % 7)
          step++
        } while (cursor !== 0)
        for (let i = 0; i < stable; i++) expect(seen.has(`stable:${i}`)).toBe(true)
      }),
      { numRuns: 30 }
    )
  })

  it("random picks come from the keys present, during a resize too", () => {
    const table = new KeyTable(new AccessClock())
    for (let i = 0; i < 1000; i++) table.put(`k${i}`, "v", false)
    for (let i = 0; i < 900; i++) table.remove(`k${i}`)
    const picked = new Set<string>()
    for (let i = 0; i < 2000; i++) picked.add(table.keyOf(table.randomRef()))
    for (const key of picked) expect(Number(key.slice(1))).toBeGreaterThanOrEqual(900)
    expect(picked.size).toBeGreaterThan(50)
    expect(new KeyTable(new AccessClock()).randomRef()).toBe(-1)
  })

  it("a value that outgrows its record moves, keeping its TTL and its place in the TTL list", () => {
    const table = new KeyTable(new AccessClock())
    const ref = table.put("k", "short", false)
    table.setExpire(ref, 1234)
    const moved = table.put("k", "x".repeat(500), true)
    expect(moved).not.toBe(ref)
    expect(table.expireAt(moved)).toBe(1234)
    expect(table.volatileRef(0)).toBe(moved)
    const onHeap = table.put("k", "y".repeat(MAX_RECORD_BYTES), true)
    expect(table.valueOf(onHeap)).toBe("y".repeat(MAX_RECORD_BYTES))
    expect(table.heapStringBytes).toBe(MAX_RECORD_BYTES)
    table.put("k", "small again", false)
    expect(table.heapStringBytes).toBe(0)
    expect(table.volatileCount).toBe(0)
  })

  it("an inline integer reads as parseInteger reads its text, for every text", () => {
    const table = new KeyTable(new AccessClock())
    const textArb = fc.oneof(
      fc.stringMatching(/^-?[0-9]{0,18}$/),
      fc.stringMatching(/^[-+ 0-9a]{0,5}$/),
      fc.constantFrom("0", "-0", "00", "01", "-01", "-", "", " 1", "1 ", "+1", "9007199254740991", "-9007199254740991",
        "9007199254740992", "-9007199254740992", "9223372036854775807", "-9223372036854775808", "99999999999999999")
    )
    fc.assert(fc.property(textArb, (text) => {
      const ref = table.put("counter", text, false)
      const parsed = parseInteger(text)
      expect(table.inlineInteger(ref)).toBe(typeof parsed === "number" ? parsed : NaN)
    }), { numRuns: 2000 })
    // Not an inline string: the general path reads it.
    expect(table.inlineInteger(table.put("counter", "7".repeat(MAX_RECORD_BYTES), false))).toBeNaN()
    expect(table.inlineInteger(table.put("counter", ["7"], false))).toBeNaN()
  })

  it("digits written in place read back as the number's text, keep the TTL, and a snapshot keeps the old ones", () => {
    const table = new KeyTable(new AccessClock())
    const ref = table.put("counter", "0", false)
    table.setExpire(ref, 1234)
    const values = [1, 9, 10, 99, 100, -1, -10, 0, 123456789, -987654321, 2 ** 31, -(2 ** 31) - 1,
      Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]
    let current = ref
    for (const value of values) {
      // Digits that do not fit the record's size class take the general way (and may move it).
      if (!table.replaceWithDigits(current, value)) current = table.replace(current, String(value))
      expect(table.valueOf(current)).toBe(String(value))
      expect(table.inlineInteger(current)).toBe(value)
      expect(table.expireAt(current)).toBe(1234)
    }
    // A size class too small for more digits: false, nothing changed.
    const small = table.put("s", "1", false)
    const room = classSize(classOf(HEADER_BYTES + 1 + 1)) - HEADER_BYTES - 1
    expect(table.replaceWithDigits(small, 10 ** room)).toBe(false)
    expect(table.valueOf(small)).toBe("1")
    expect(table.replaceWithDigits(small, 10 ** (room - 1))).toBe(true)
    expect(table.valueOf(small)).toBe(String(10 ** (room - 1)))
    // A long key lives on the heap, and so does its value: the general way.
    expect(table.replaceWithDigits(table.put("k".repeat(2000), "1", false), 2)).toBe(false)
    // Written under a snapshot: the snapshot reads the digits as they were.
    const snapshot = table.snapshot(nextSnapshotEpoch(), new Map())
    expect(table.replaceWithDigits(table.find("s"), 42)).toBe(true)
    const seen = new Map<string, unknown>()
    while (snapshot.next(10, (key, value) => seen.set(key, value)));
    snapshot.release()
    expect(seen.get("s")).toBe(String(10 ** (room - 1)))
    expect(table.valueOf(table.find("s"))).toBe("42")
  })

  it("records are freed and reused: the arena's use follows the live keys", () => {
    const table = new KeyTable(new AccessClock())
    for (let i = 0; i < 10_000; i++) table.put(`k${i}`, "value", false)
    let expected = 0
    for (let i = 0; i < 10_000; i++) expected += classSize(classOf(HEADER_BYTES + `k${i}`.length + "value".length))
    expect(table.arena.usedBytes).toBe(expected)
    const reserved = table.arena.reservedBytes
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10_000; i++) table.remove(`k${i}`)
      expect(table.arena.usedBytes).toBe(0)
      for (let i = 0; i < 10_000; i++) table.put(`k${i}`, "value", false)
    }
    expect(table.arena.reservedBytes).toBe(reserved)
  })

  it("a snapshot keeps an object renamed and then changed while it is read", () => {
    const table = new KeyTable(new AccessClock())
    const items = ["old"]
    table.put("a", items, false)
    const snapshot = table.snapshot(nextSnapshotEpoch(), new Map())
    table.remove("a")
    table.put("b", items, false)
    table.preserveForSnapshot(table.find("b"), (value) => [...(value as Array<string>)])
    items.push("new")
    const seen: Array<[string, unknown]> = []
    while (snapshot.next(10, (key, value) => seen.push([key, [...(value as Array<string>)]])));
    snapshot.release()
    expect(seen).toEqual([["a", ["old"]]])
  })

  it("a snapshot keeps heap values across several heap chunks while live writes reuse and add slots", () => {
    const table = new KeyTable(new AccessClock())
    const long = (i: number) => `v${i}:${"x".repeat(5000)}` // past MAX_RECORD_BYTES: kept on the heap
    const count = 9000 // several chunks of heap slots
    for (let i = 0; i < count; i++) table.put(`k${i}`, long(i), false)
    const snapshot = table.snapshot(nextSnapshotEpoch(), new Map())
    // Frees slots in the first chunk, reuses them, and fills the last chunk into a new one.
    for (let i = 0; i < count; i += 3) table.remove(`k${i}`)
    for (let i = 0; i < count; i += 3) table.put(`n${i}`, `new${i}:${"y".repeat(5000)}`, false)
    for (let i = count; i < count + 4000; i++) table.put(`k${i}`, long(i), false)
    const seen = new Map<string, unknown>()
    while (snapshot.next(500, (key, value) => seen.set(key, value)));
    snapshot.release()
    expect(seen.size).toBe(count)
    for (let i = 0; i < count; i++) expect(seen.get(`k${i}`)).toBe(long(i))
    for (let i = 0; i < count; i += 3) {
      expect(table.find(`k${i}`)).toBe(-1)
      expect(table.valueOf(table.find(`n${i}`))).toBe(`new${i}:${"y".repeat(5000)}`)
    }
    for (let i = 1; i < count + 4000; i += i % 3 === 2 ? 2 : 1) expect(table.valueOf(table.find(`k${i}`))).toBe(long(i))
  })

  it("a snapshot reads the table as it was, while the live table changes under it", () => {
    class Items {
      constructor(readonly items: Array<string>) {}
      clone() {
        return new Items([...this.items])
      }
    }
    const mutateArb = fc.record({ op: fc.constant("mutate" as const), key: keyArb, item: fc.string({ maxLength: 3 }) })
    const objectPutArb = fc.record({
      op: fc.constant("put" as const),
      key: keyArb,
      value: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }).map((items) => new Items(items)),
      keep: fc.boolean()
    })
    // RENAME during the snapshot: the same object stored again under another key, then mutated there.
    const renameArb = fc.record({ op: fc.constant("rename" as const), key: keyArb, to: keyArb })
    const liveOpArb = fc.oneof(opArb, objectPutArb, mutateArb, renameArb)
    fc.assert(
      fc.property(
        fc.array(fc.oneof(opArb, objectPutArb), { maxLength: 300 }),
        fc.array(fc.tuple(liveOpArb, fc.integer({ min: 0, max: 4 })), { maxLength: 300 }),
        (before, after) => {
          const table = new KeyTable(new AccessClock())
          const model = new Map<string, Entry>()
          for (const op of before) apply(table, model, op)
          // What the snapshot must show: the model now, object values copied.
          const expected = new Map(
            [...model].map(([key, entry]) => [key, {
              value: entry.value instanceof Items ? [...entry.value.items] : entry.value,
              expireAt: entry.expireAt
            }])
          )
          const snapshot = table.snapshot(nextSnapshotEpoch(), new Map())
          const seen = new Map<string, { value: unknown; expireAt: number | undefined }>()
          const collect = (key: string, value: unknown, expireAt: number | undefined) => {
            expect(seen.has(key)).toBe(false)
            seen.set(key, { value: value instanceof Items ? [...value.items] : value, expireAt })
          }
          let more = true
          for (const [op, slice] of after) {
            if (op.op === "rename") {
              const ref = table.find(op.key)
              const value = ref === -1 ? undefined : table.valueOf(ref)
              if (value instanceof Items && op.key !== op.to) {
                apply(table, model, { op: "remove", key: op.key })
                apply(table, model, { op: "put", key: op.to, value, keep: false })
                table.preserveForSnapshot(table.find(op.to), (v) => (v as Items).clone())
                value.items.push("renamed")
              }
            } else if (op.op === "mutate") {
              const ref = table.find(op.key)
              const value = ref === -1 ? undefined : table.valueOf(ref)
              if (value instanceof Items) {
                table.preserveForSnapshot(ref, (v) => (v as Items).clone())
                value.items.push(op.item)
              }
            } else {
              apply(table, model, op)
            }
            if (more) more = snapshot.next(slice, collect)
          }
          while (more) more = snapshot.next(7, collect)
          snapshot.release()
          expect(seen).toEqual(expected)
          // The live table is intact, and writes after the release need no more copies.
          expect(table.size).toBe(model.size)
          for (const [key, entry] of model) expect(table.valueOf(table.find(key))).toBe(entry.value)
          const copied = table.arena.copiedSlabs
          table.put("after", "x", false)
          expect(table.arena.copiedSlabs).toBe(copied)
        }
      ),
      { numRuns: 150 }
    )
  })
})
