/**
 * fast-check arbitraries for the bitmap and HyperLogLog commands in generated differential
 * sequences, over the shared key space (so they meet strings, collections and each other's
 * values: an HLL written by SETBIT, a bitmap read by PFCOUNT). Offsets are mostly small, some
 * large enough that the value is kept as bytes changed in place (1024 bytes and up).
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import type { SharedArbitraries } from "./generators-sets.js"

type Arb<A> = fc.Arbitrary<A>

const cmd = (...parts: Array<Arb<string> | Arb<Array<string>> | string>): Arb<Step> =>
  fc
    .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<Arb<string | Array<string>>>)
    .map((values) => ({ argv: values.flat() }))

const offset: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 8000, max: 20_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("-1", "x", "4294967296", "#3", "1.5", "") }
)

const index: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -40, max: 40 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("x", "9223372036854775807", "-9223372036854775808", "2500") }
)

const fieldType: Arb<string> = fc.constantFrom("i1", "u1", "i8", "u8", "i13", "u31", "i64", "u63", "u64", "i0", "x8")
const fieldOffset: Arb<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }).map((n) => `#${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 9000, max: 12_000 }).map(String) }
)
const fieldValue: Arb<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -300, max: 300 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("9223372036854775807", "-9223372036854775808", "x") }
)
const fieldOp: Arb<Array<string>> = fc.oneof(
  fc.tuple(fc.constant("GET"), fieldType, fieldOffset).map((t) => [...t]),
  fc.tuple(fc.constantFrom("SET", "INCRBY"), fieldType, fieldOffset, fieldValue).map((t) => [...t]),
  fc.constantFrom("WRAP", "SAT", "FAIL", "BAD").map((mode) => ["OVERFLOW", mode])
)

const element: Arb<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => `e${n}`) },
  { weight: 1, arbitrary: fc.constantFrom("", "\x00", "\xff\xfe", "a somewhat longer element") }
)

export const bitmapCommands = ({ key, keys }: SharedArbitraries): Arb<Step> =>
  fc.oneof(
    { weight: 5, arbitrary: cmd("SETBIT", key, offset, fc.constantFrom("0", "1", "1", "2")) },
    { weight: 2, arbitrary: cmd("GETBIT", key, offset) },
    { weight: 3, arbitrary: cmd("BITCOUNT", key, fc.constantFrom([], ["0", "-1"]).chain((base) => (base.length === 0 ? fc.oneof(fc.constant([] as Array<string>), fc.tuple(index, index, fc.constantFrom("BIT", "BYTE", "bit", "x")).map((t) => [...t])) : fc.constant(base)))) },
    { weight: 3, arbitrary: cmd("BITPOS", key, fc.constantFrom("0", "1", "2"), fc.oneof(fc.constant([] as Array<string>), fc.tuple(index).map((t) => [...t]), fc.tuple(index, index).map((t) => [...t]), fc.tuple(index, index, fc.constantFrom("BIT", "BYTE")).map((t) => [...t]))) },
    { weight: 2, arbitrary: cmd("BITOP", fc.constantFrom("AND", "OR", "XOR", "NOT", "nand"), key, keys(1, 3)) },
    { weight: 3, arbitrary: cmd(fc.constantFrom("BITFIELD", "BITFIELD", "BITFIELD_RO"), key, fc.array(fieldOp, { minLength: 0, maxLength: 4 }).map((ops) => ops.flat())) },
    { weight: 3, arbitrary: cmd("PFADD", key, fc.array(element, { maxLength: 12 })) },
    { weight: 2, arbitrary: cmd("PFCOUNT", keys(1, 3)) },
    { weight: 1, arbitrary: cmd("PFMERGE", key, keys(0, 3)) }
  )
