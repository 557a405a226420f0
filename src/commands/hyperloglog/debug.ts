/**
 * PFDEBUG GETREG | DECODE | ENCODING | TODENSE key, and PFSELFTEST: Redis's internal commands for
 * looking inside an HLL and checking the implementation. GETREG and TODENSE leave a sparse HLL
 * dense, as in Redis (the change is logged like any write).
 */
import type { CommandContext } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import {
  addUint64,
  countHll,
  createHll,
  decodeSparse,
  DENSE,
  DENSE_SIZE,
  ERR_CORRUPTED_HLL,
  HEADER_SIZE,
  HLL_REGISTERS,
  denseRegisters,
  registerAccess,
  sparseToDense,
  SPARSE
} from "../../keyspace/hyperloglog/HyperLogLog.js"
import { isOption } from "../strings/shared.js"
import { commitHll, hllCommand, type OpenHll, openHllOrReply } from "./shared.js"

/** Makes the HLL at `key` dense; false after replying the error when it is corrupted. */
const toDenseOrReply = (ctx: CommandContext, key: string, opened: OpenHll): boolean => {
  if (opened.hll.bytes[4] !== SPARSE) return true
  if (!sparseToDense(opened.hll)) {
    ctx.out.error(ERR_CORRUPTED_HLL)
    return false
  }
  commitHll(ctx, key, opened)
  return true
}

const pfdebug = hllCommand({
  name: "pfdebug",
  docFlags: ["syscmd"],
  arity: 3,
  flags: ["write", "denyoom", "admin"],
  firstKey: 2,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(2, "RW", "access")],
  summary: "Internal commands for debugging HyperLogLog values",
  since: "2.8.9",
  complexity: "N/A",
  run: (ctx, argv) => {
    const sub = argv[1]
    const key = argv[2]
    const opened = openHllOrReply(ctx, key)
    if (opened === null) return
    if (opened === undefined) return ctx.out.error("ERR The specified key does not exist")
    const hll = opened.hll
    if (isOption(sub, "getreg")) {
      if (!toDenseOrReply(ctx, key, opened)) return
      const registers = denseRegisters(hll)
      ctx.out.arrayHeader(registers.length)
      for (const register of registers) ctx.out.integer(register)
    } else if (isOption(sub, "decode")) {
      if (hll.bytes[4] !== SPARSE) return ctx.out.error("ERR HLL encoding is not sparse")
      ctx.out.bulk(decodeSparse(hll))
    } else if (isOption(sub, "encoding")) {
      ctx.out.simple(hll.bytes[4] === DENSE ? "dense" : "sparse")
    } else if (isOption(sub, "todense")) {
      const sparse = hll.bytes[4] === SPARSE
      if (!toDenseOrReply(ctx, key, opened)) return
      ctx.out.integer(sparse ? 1 : 0)
    } else ctx.out.error(`ERR Unknown PFDEBUG subcommand '${sub}'`)
  }
})

const CYCLES = 1000

/**
 * Redis's self-test: (1) every register of a dense array keeps a random value and leaves its
 * neighbours alone, 1000 times over; (2) adding 10 M distinct elements to a dense and a sparse
 * HLL at once, at every power of ten the sparse one is still sparse while small, both estimate
 * the same, and the error stays within 6 standard errors.
 */
const selfTest = (maxBytes: number): string | undefined => {
  const registers = Buffer.alloc(DENSE_SIZE - HEADER_SIZE)
  const expected = new Uint8Array(HLL_REGISTERS)
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = (Math.random() * 64) | 0
      expected[i] = value
      registerAccess.set(registers, 0, i, value)
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = registerAccess.get(registers, 0, i)
      if (value !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`
    }
  }
  const dense = createHll()
  sparseToDense(dense)
  const sparse = createHll()
  const both = [dense, sparse]
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS)
  const seedLo = (Math.random() * 2 ** 32) >>> 0
  const seedHi = (Math.random() * 2 ** 32) >>> 0
  let checkpoint = 1
  for (let j = 1; j <= 10_000_000; j++) {
    addUint64(both, (j ^ seedLo) >>> 0, seedHi, maxBytes)
    if (j !== checkpoint) continue
    if (j < maxBytes / 2 && sparse.bytes[4] !== SPARSE) return "TESTFAILED sparse encoding not used"
    const estimate = countHll(dense) ?? -1
    if (estimate !== countHll(sparse)) return "TESTFAILED dense/sparse disagree"
    const maxError = j === 10 ? 1 : Math.ceil(relativeError * 6 * checkpoint)
    const error = Math.abs(checkpoint - estimate)
    if (error > maxError) return `TESTFAILED Too big error. card:${checkpoint} abserr:${error}`
    checkpoint *= 10
  }
  return undefined
}

const pfselftest = hllCommand({
  name: "pfselftest",
  docFlags: ["syscmd"],
  arity: 1,
  flags: ["admin"],
  summary: "An internal command for testing HyperLogLog values",
  since: "2.8.9",
  complexity: "N/A",
  firstKey: 0,
  lastKey: 0,
  step: 0,
  run: (ctx) => {
    const failure = selfTest(ctx.server.config.hllSparseMaxBytes)
    if (failure === undefined) ctx.out.ok()
    else ctx.out.error(failure)
  }
})

export const debugCommands = [pfdebug, pfselftest]
