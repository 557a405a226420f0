/**
 * The packed encodings of small lists, hashes and sorted sets against plain models, through
 * random sequences that cross the packing limits (long elements with multi-char length
 * prefixes, elements long enough to be sliced, conversions on the way up).
 */
import { describe, expect, it } from "vitest"
import { HashValue } from "../../src/keyspace/values/HashValue.js"
import { ListValue } from "../../src/keyspace/values/ListValue.js"
import { SortedSetValue } from "../../src/keyspace/values/SortedSetValue.js"

/** A deterministic generator (mulberry32). */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("packed values", () => {
  it("a list behaves as an array through pushes, pops, inserts, sets, removals and trims", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const next = random(seed)
      const int = (below: number) => Math.floor(next() * below)
      const element = () => ["a", "bb", "x".repeat(13), "y".repeat(127), "z".repeat(128), "w".repeat(300), String(int(5))][int(7)]
      const list = new ListValue()
      const model: Array<string> = []
      for (let step = 0; step < 400; step++) {
        const op = int(10)
        const value = element()
        if (op <= 1) (list.pushTail(value), model.push(value))
        else if (op === 2) (list.pushHead(value), model.unshift(value))
        else if (op === 3) expect(list.popHead()).toBe(model.shift())
        else if (op === 4) expect(list.popTail()).toBe(model.pop())
        else if (op === 5 && model.length > 0) {
          const at = int(model.length)
          list.setAt(at, value)
          model[at] = value
        } else if (op === 6) {
          const at = int(model.length + 1)
          list.insertAt(at, value)
          model.splice(at, 0, value)
        } else if (op === 7) {
          const limit = int(3)
          const fromTail = next() < 0.5
          let removed = 0
          const kept = [...model]
          for (let k = 0; k < model.length; k++) {
            const i = fromTail ? model.length - 1 - k : k
            if (model[i] === value && (limit === 0 || removed < limit)) {
              kept[i] = undefined as unknown as string
              removed++
            }
          }
          expect(list.remove(value, limit, fromTail)).toBe(removed)
          model.splice(0, model.length, ...kept.filter((e) => e !== undefined))
        } else if (op === 8 && model.length > 0) {
          const start = int(model.length)
          const end = start + int(model.length - start)
          list.keepRange(start, end)
          model.splice(0, model.length, ...model.slice(start, end + 1))
        } else if (op === 9) {
          expect(list.indexOf(value)).toBe(model.indexOf(value))
        }
        expect(list.length).toBe(model.length)
        // Walks both ways through the indexed reads.
        for (let i = 0; i < model.length; i += 1 + int(3)) expect(list.at(i)).toBe(model[i])
        for (let i = model.length - 1; i >= 0; i -= 1 + int(3)) expect(list.at(i)).toBe(model[i])
      }
      expect(list.toArray()).toEqual(model)
      expect(list.clone().toArray()).toEqual(model)
      expect(ListValue.of(model).toArray()).toEqual(model)
      // Past PACKED_MAX: a ring buffer from then on, with the same elements.
      for (let i = 0; i < 40; i++) (list.pushTail(`${i}`.repeat(300)), model.push(`${i}`.repeat(300)))
      expect((list as unknown as { packed: string | undefined }).packed).toBeUndefined()
      expect(list.toArray()).toEqual(model)
      expect(list.popHead()).toBe(model.shift())
    }
  })

  it("a hash behaves as a Map, and converts keeping its order", () => {
    const next = random(7)
    const hash = new HashValue()
    const model = new Map<string, string>()
    for (let step = 0; step < 2000; step++) {
      const field = `f${Math.floor(next() * 40)}`.repeat(1 + Math.floor(next() * 3) * 30)
      const value = "v".repeat(Math.floor(next() * 200))
      if (next() < 0.7) expect(hash.set(field, value)).toBe(!model.has(field)), model.set(field, value)
      else expect(hash.delete(field)).toBe(model.delete(field))
      expect(hash.size).toBe(model.size)
      expect(hash.fields.get(field)).toBe(model.get(field))
      expect(hash.get(field)).toBe(model.get(field))
      expect(hash.has(field)).toBe(model.has(field))
      if (step === 1500) hash.listpack = false
    }
    expect([...hash.fields]).toEqual([...model])
    expect([...hash.clone().fields]).toEqual([...model])
    hash.listpack = true
    expect([...hash.fields]).toEqual([...model])
    expect(model.has(hash.randomField())).toBe(true)
  })

  it("a sorted set keeps Redis's order in both encodings", () => {
    const next = random(11)
    const limits = { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 }
    const zset = new SortedSetValue()
    const model = new Map<string, number>()
    for (let step = 0; step < 600; step++) {
      const member = `m${Math.floor(next() * 150)}`
      const score = [-0, 1.5, Infinity, -Infinity, 1e21, Math.floor(next() * 10)][Math.floor(next() * 6)]
      const old = model.get(member)
      if (next() < 0.2) expect(zset.remove(member)).toBe(model.delete(member))
      else if (old === undefined) (zset.insert(member, score, limits), model.set(member, zset.listpack ? score + 0 : score))
      else (zset.update(member, old, score), model.set(member, zset.listpack ? score + 0 : score))
      expect(zset.size).toBe(model.size)
      expect(zset.scores.get(member)).toBe(model.get(member))
      expect(zset.scoreOf(member)).toBe(model.get(member))
    }
    const sorted = [...model].sort(([m1, s1], [m2, s2]) => s1 - s2 || (m1 < m2 ? -1 : m1 > m2 ? 1 : 0))
    const scores: Array<number> = []
    const members: Array<string> = []
    zset.tree.collect(scores, members)
    expect(members).toEqual(sorted.map(([member]) => member))
    expect(scores).toEqual(sorted.map(([, score]) => score))
  })

  it("a sorted set's built tree is not reused after a caller edited it", () => {
    const limits = { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 }
    const zset = new SortedSetValue()
    for (const [score, member] of [[1, "a"], [2, "b"], [3, "c"]] as const) zset.insert(member, score, limits)
    // As removeRanks does: the tree edited by hand, the member forgotten.
    zset.tree.remove(2, "b")
    zset.forgetScore("b")
    zset.insert("b", 2, limits)
    const scores: Array<number> = []
    const members: Array<string> = []
    zset.tree.collect(scores, members)
    expect(members).toEqual(["a", "b", "c"])
  })
})
