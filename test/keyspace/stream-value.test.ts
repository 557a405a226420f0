/**
 * StreamValue against a model (a sorted array of entries): random appends, deletions, exact trims
 * and range reads in both directions, with small nodes so every operation crosses node
 * boundaries; and IDs at the 64-bit edges, which must compare and print exactly.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { idText, makeId, MAX_ID, nextId, parseId, previousId, type StreamId, ZERO_ID } from "../../src/keyspace/values/StreamId.js"
import { SortedIds } from "../../src/keyspace/values/SortedIds.js"
import { StreamValue } from "../../src/keyspace/values/StreamValue.js"

type Op =
  | { readonly kind: "append"; readonly gap: number; readonly width: number }
  | { readonly kind: "delete"; readonly at: number }
  | { readonly kind: "trim"; readonly keep: number }
  | { readonly kind: "minid"; readonly at: number }
  | { readonly kind: "range"; readonly from: number; readonly to: number; readonly reverse: boolean; readonly count: number }
  | { readonly kind: "seal" }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("append" as const), gap: fc.integer({ min: 1, max: 3 }), width: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat(200) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("trim" as const), keep: fc.nat(60) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("minid" as const), at: fc.nat(200) }) },
  // The last node sealed as a loaded stream's are (packed IDs, 16-bit offsets), then appended to.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("seal" as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("range" as const), from: fc.nat(300), to: fc.nat(300), reverse: fc.boolean(), count: fc.nat(12) })
  }
)

/** IDs in the order of `n`; `wide` spreads them past what a node's two-word IDs hold. */
let wide = false
const idOf = (n: number): StreamId =>
  wide ? makeId(BigInt(Math.floor(n / 3)) * 2147483659n, BigInt(n % 3) << 40n) : makeId(BigInt(Math.floor(n / 3)), BigInt(n % 3))

describe("StreamValue", () => {
  it("behaves as a sorted array of entries across node boundaries", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 7 }), fc.boolean(), (ops, nodeSize, wideIds) => {
        wide = wideIds
        const stream = new StreamValue(nodeSize, 4096)
        let model: Array<[number, Array<string>]> = []
        let next = 1
        for (const o of ops) {
          if (o.kind === "append") {
            next += o.gap
            const fields = Array.from({ length: o.width }, (_, i) => [`f${i}`, `v${next}`]).flat()
            stream.append(idOf(next), fields.slice())
            model.push([next, fields])
          } else if (o.kind === "delete") {
            const existed = model.some(([n]) => n === o.at)
            expect(stream.delete(idOf(o.at))).toBe(existed)
            model = model.filter(([n]) => n !== o.at)
          } else if (o.kind === "trim") {
            const removed = stream.trim(o.keep, undefined, false, 0)
            const cut = Math.max(0, model.length - o.keep)
            expect(removed).toBe(cut)
            model = model.slice(cut)
          } else if (o.kind === "seal") {
            stream.blocks[stream.blocks.length - 1]?.seal()
          } else if (o.kind === "minid") {
            const removed = stream.trim(undefined, idOf(o.at), false, 0)
            const kept = model.filter(([n]) => n >= o.at)
            expect(removed).toBe(model.length - kept.length)
            model = kept
          } else {
            const seen: Array<[string, Array<string>]> = []
            stream.range(idOf(o.from), idOf(o.to), o.reverse, (id, fields) => {
              seen.push([idText(id), fields])
              return o.count === 0 || seen.length < o.count
            })
            let expected = model.filter(([n]) => n >= o.from && n <= o.to)
            if (o.reverse) expected = expected.slice().reverse()
            if (o.count > 0) expected = expected.slice(0, o.count)
            expect(seen).toEqual(expected.map(([n, fields]) => [idText(idOf(n)), fields]))
          }
          expect(stream.length).toBe(model.length)
          expect(stream.edgeId(true)).toBe(model.length === 0 ? undefined : idOf(model[0][0]))
          expect(stream.edgeId(false)).toBe(model.length === 0 ? undefined : idOf(model[model.length - 1][0]))
          for (const block of stream.blocks) expect(block.length).toBeGreaterThan(0)
          expect(stream.memoryUsage()).toBeGreaterThan(0)
        }
        // A copy is independent of the original, both ways (blocks are shared until changed).
        const copy = stream.clone()
        const entries = (s: StreamValue): Array<[string, Array<string>]> => {
          const all: Array<[string, Array<string>]> = []
          s.range(ZERO_ID, MAX_ID, false, (id, fields) => all.push([idText(id), fields]) > 0)
          return all
        }
        const before = entries(stream)
        stream.append(idOf(next + 1), ["x", "y"])
        if (model.length > 0) stream.delete(idOf(model[0][0]))
        stream.trim(Math.floor(model.length / 2), undefined, false, 0)
        expect(entries(copy)).toEqual(before)
        copy.append(idOf(next + 2), ["z", "w"])
        expect(stream.has(idOf(next + 2))).toBe(false)
        expect(copy.length).toBe(model.length + 1)
      }),
      { numRuns: 300 }
    )
  })

  it("keeps a PEL's IDs sorted through inserts and deletions anywhere", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(60)), { maxLength: 300 }), (ops) => {
        const pel = new SortedIds<number>()
        const model = new Map<number, number>()
        for (const [insert, n] of ops) {
          if (insert) expect(pel.insert(idOf(n), n)).toBe(!model.has(n))
          else expect(pel.delete(idOf(n))).toBe(model.has(n))
          if (insert && !model.has(n)) model.set(n, n)
          else if (!insert) model.delete(n)
          const sorted = [...model.keys()].sort((a, b) => a - b)
          expect(Array.from({ length: pel.size }, (_, i) => pel.idAt(i))).toEqual(sorted.map(idOf))
          expect(sorted.every((k) => pel.get(idOf(k)) === k)).toBe(true)
        }
      }),
      { numRuns: 200 }
    )
  })

  it("keeps IDs exact at the 64-bit edges", () => {
    const top = (1n << 64n) - 1n
    expect(idText(makeId(top, top))).toBe("18446744073709551615-18446744073709551615")
    expect(makeId(top, top)).toBe(MAX_ID)
    expect(nextId(MAX_ID)).toBeUndefined()
    expect(previousId(ZERO_ID)).toBeUndefined()
    expect(idText(nextId(makeId(5n, top))!)).toBe("6-0")
    expect(idText(nextId(makeId(5n, 7n))!)).toBe("5-8")
    expect(idText(nextId(makeId(5n, 0xffffffffn))!)).toBe("5-4294967296")
    expect(idText(nextId(makeId(1700000000000n, (1n << 40n) + 5n))!)).toBe("1700000000000-1099511627782")
    expect(nextId(makeId(5n, 0xfffffffen))).toBe(makeId(5n, 0xffffffffn))
    expect(idText(previousId(makeId(6n, 0n))!)).toBe("5-18446744073709551615")
    // 2^53 + 1 and 2^53 differ, which a float would not see.
    expect(makeId((1n << 53n) + 1n, 0n) > makeId(1n << 53n, 0n)).toBe(true)
    expect(idText(makeId((1n << 53n) + 1n, 0n))).toBe("9007199254740993-0")
    for (const ms of [0n, 99999999n, 100000000n, 1700000000005n, 1700012345678n, (1n << 53n) - 1n, 1n << 53n]) {
      expect(idText(makeId(ms, ms))).toBe(`${ms}-${ms}`)
    }
    const stream = new StreamValue(2, 4096)
    for (const ms of [1n, 1n << 32n, (1n << 53n) + 1n, top]) stream.append(makeId(ms, 0n), ["f", String(ms)])
    const seen: Array<string> = []
    stream.range(ZERO_ID, MAX_ID, true, (id) => {
      seen.push(idText(id))
      return true
    })
    expect(seen).toEqual(["18446744073709551615-0", "9007199254740993-0", "4294967296-0", "1-0"])
    expect(stream.blocks.map((block) => block.idTextAt(0))).toEqual(["1-0", "9007199254740993-0"])
    // Plain digits take a path without bigint: the same IDs as the general one.
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{1,17}(-[0-9]{1,17})?$/), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (text, missing) => {
      const [ms, seq] = text.split("-")
      expect(parseId(text, missing, true)?.id).toBe(makeId(BigInt(ms), seq === undefined ? missing : BigInt(seq)))
    }))
    expect(idText(parseId("007-0010", 0n, true)!.id)).toBe("7-10")
    expect(parseId("1-", 0n, true)).toBeUndefined()
    expect(parseId("-1", 0n, false)).toBeUndefined()
    expect(parseId("18446744073709551616", 0n, true)).toBeUndefined()
    expect(parseId("-1-0x", 0n, true)).toBeUndefined()
  })
})
