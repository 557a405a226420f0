/**
 * The sorted-set B+tree against a model: a plain array of (score, member) pairs kept sorted.
 * Random operation sequences (few distinct scores and members, so ties and repeats are common)
 * run on both; after every step the tree's invariants are checked (order, separators, counts,
 * fill, leaf links) and every query answers what the model answers.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { ScoreTree, TreeCursor } from "../../src/keyspace/values/ScoreTree.js"

type Pair = readonly [score: number, member: string]

/** mulberry32: a small seeded PRNG (an LCG in doubles loses precision and cycles early). */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const before = (a: Pair, b: Pair) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])

class Model {
  pairs: Array<Pair> = []
  scoreOf = new Map<string, number>()

  insert(score: number, member: string) {
    let at = 0
    while (at < this.pairs.length && before(this.pairs[at], [score, member])) at++
    this.pairs.splice(at, 0, [score, member])
    this.scoreOf.set(member, score)
  }

  remove(member: string) {
    this.pairs = this.pairs.filter((pair) => pair[1] !== member)
    this.scoreOf.delete(member)
  }
}

type Op =
  | { readonly kind: "insert"; readonly score: number; readonly member: string }
  | { readonly kind: "remove"; readonly member: string }
  | { readonly kind: "removeFirst" }
  | { readonly kind: "removeLast" }

const score = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(Infinity, -Infinity, 0.5, -0),
  fc.double({ noNaN: true })
)
const member = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((n) => `m${n}`),
  fc.constantFrom("", "\x00", "\xff", "a", "ab", "b")
)
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("insert" as const), score, member }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("remove" as const), member }) },
  { weight: 1, arbitrary: fc.constant({ kind: "removeFirst" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "removeLast" as const }) }
)

const apply = (tree: ScoreTree, model: Model, step: Op) => {
  if (step.kind === "insert") {
    const old = model.scoreOf.get(step.member)
    if (old !== undefined) {
      expect(tree.remove(old, step.member)).toBe(true)
      model.remove(step.member)
    }
    tree.insert(step.score, step.member)
    model.insert(step.score, step.member)
  } else {
    const target = step.kind === "remove"
      ? step.member
      : model.pairs[step.kind === "removeFirst" ? 0 : model.pairs.length - 1]?.[1]
    if (target === undefined) return
    const old = model.scoreOf.get(target)
    expect(tree.remove(old ?? 0, target)).toBe(old !== undefined)
    model.remove(target)
  }
}

const compare = (tree: ScoreTree, model: Model) => {
  tree.check()
  expect(tree.size).toBe(model.pairs.length)
  const scores: Array<number> = []
  const members: Array<string> = []
  tree.collect(scores, members)
  expect(members).toEqual(model.pairs.map((pair) => pair[1]))
  expect(scores).toEqual(model.pairs.map((pair) => pair[0]))
}

const compareQueries = (tree: ScoreTree, model: Model, probes: ReadonlyArray<number>) => {
  for (let rank = 0; rank < model.pairs.length; rank += Math.max(1, model.pairs.length >> 4)) {
    const [s, m] = model.pairs[rank]
    expect(tree.rankOf(s, m)).toBe(rank)
    const cursor = new TreeCursor()
    tree.seek(cursor, rank)
    expect([cursor.score, cursor.member]).toEqual([s, m])
    if (rank + 1 < model.pairs.length) {
      expect(cursor.next()).toBe(true)
      expect(cursor.member).toBe(model.pairs[rank + 1][1])
      expect(cursor.prev()).toBe(true)
    } else {
      expect(cursor.next()).toBe(false)
    }
  }
  expect(tree.rankOf(0.25, "absent")).toBe(-1)
  for (const probe of probes) {
    expect(tree.countByScore(probe, false)).toBe(model.pairs.filter((p) => p[0] < probe).length)
    expect(tree.countByScore(probe, true)).toBe(model.pairs.filter((p) => p[0] <= probe).length)
    // seekScore: the first element at or above the probe, as the model's first such pair.
    const first = model.pairs.find((p) => p[0] >= probe)
    const at = new TreeCursor()
    expect(tree.seekScore(at, probe)).toBe(first !== undefined)
    if (first !== undefined) expect([at.score, at.member]).toEqual([first[0], first[1]])
  }
}

describe("ScoreTree", () => {
  it("matches a sorted-array model under random operations", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const tree = new ScoreTree()
        const model = new Model()
        for (const step of ops) {
          apply(tree, model, step)
          compare(tree, model)
        }
        compareQueries(tree, model, [-Infinity, -5, -1, 0, 0.5, 3, 5, Infinity])
      }),
      { numRuns: 200 }
    )
  })

  it("keeps its invariants through many splits and merges", () => {
    const random = seeded(42)
    const tree = new ScoreTree()
    const model = new Map<string, number>()
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30_000; i++) {
        const m = `m${Math.floor(random() * 40_000)}`
        const old = model.get(m)
        if (old !== undefined) tree.remove(old, m)
        const s = Math.floor(random() * 100)
        tree.insert(s, m)
        model.set(m, s)
      }
      tree.check()
      for (const [m, s] of [...model]) {
        if (random() < 0.9) {
          expect(tree.remove(s, m)).toBe(true)
          model.delete(m)
        }
      }
      tree.check()
      expect(tree.size).toBe(model.size)
    }
    const sorted = [...model].map(([m, s]) => [s, m] as const).sort((a, b) => (before(a, b) ? -1 : 1))
    const scores: Array<number> = []
    const members: Array<string> = []
    tree.collect(scores, members)
    expect(members).toEqual(sorted.map((pair) => pair[1]))
    for (let rank = 0; rank < sorted.length; rank += 97) expect(tree.rankOf(sorted[rank][0], sorted[rank][1])).toBe(rank)
    for (const probe of [0, 17.5, 50, 99, 100]) {
      expect(tree.countByScore(probe, true)).toBe(sorted.filter((p) => p[0] <= probe).length)
    }
  })

  it("matches the model on long interleaved sequences (multi-level splits, borrows, merges)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 2, max: 8 }), (start, insertBias) => {
        const random = seeded(start)
        const tree = new ScoreTree()
        const model = new Map<string, number>()
        for (let i = 0; i < 40_000; i++) {
          // Phases of growth and shrinkage, so whole levels appear and disappear.
          const growing = Math.floor(i / 5_000) % 2 === 0
          const m = `m${Math.floor(random() * 12_000)}`
          const old = model.get(m)
          if (random() * 10 < (growing ? insertBias : 10 - insertBias)) {
            if (old !== undefined) tree.remove(old, m)
            const s = Math.floor(random() * 50)
            tree.insert(s, m)
            model.set(m, s)
          } else if (old !== undefined) {
            expect(tree.remove(old, m)).toBe(true)
            model.delete(m)
          }
          if (i % 2_500 === 0) tree.check()
        }
        tree.check()
        expect(tree.size).toBe(model.size)
      }),
      { numRuns: 6 }
    )
  })

  it("fills to three levels and drains in random order", () => {
    const random = seeded(3)
    const tree = new ScoreTree()
    const model = new Map<string, number>()
    for (let i = 0; i < 60_000; i++) {
      const s = Math.floor(random() * 1000)
      tree.insert(s, `m${i}`)
      model.set(`m${i}`, s)
    }
    tree.check()
    const order = [...model.keys()]
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    for (let n = 0; n < order.length; n++) {
      expect(tree.remove(model.get(order[n])!, order[n])).toBe(true)
      if (n % 2_000 === 0) tree.check()
    }
    tree.check()
    expect(tree.size).toBe(0)
  })

  it("builds from sorted pairs, then keeps working", () => {
    for (const n of [0, 1, 128, 129, 5_000, 200_000]) {
      const scores = Array.from({ length: n }, (_, i) => Math.floor(i / 3))
      const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(7, "0")}`)
      const tree = ScoreTree.fromSorted(scores, members)
      tree.check()
      expect(tree.size).toBe(n)
      for (let i = 0; i < n; i += 7) expect(tree.remove(scores[i], members[i])).toBe(true)
      tree.check()
      tree.insert(-1, "first")
      tree.check()
      expect(tree.rankOf(-1, "first")).toBe(0)
    }
  })

  it("counts by member when all scores are equal", () => {
    const members = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26)) + String(i))
    const tree = new ScoreTree()
    for (const m of members) tree.insert(0, m)
    const sorted = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const probe of ["", "a", "a5", "m", "m500", "z", "zz", "\xff"]) {
      expect(tree.countByMember(probe, false)).toBe(sorted.filter((m) => m < probe).length)
      expect(tree.countByMember(probe, true)).toBe(sorted.filter((m) => m <= probe).length)
    }
  })
})
