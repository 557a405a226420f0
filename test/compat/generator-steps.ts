/**
 * Building blocks the per-family generators (generators-lists.ts, generators-hashes.ts) share:
 * the arbitraries generators.ts lends them, so every family draws from the same small key space
 * and value pool, and the two ways of turning arbitraries into steps.
 */
import * as fc from "fast-check"
import { PIPELINE_BREAK, type Step } from "./compare.js"

type Arb<A> = fc.Arbitrary<A>

/** What generators.ts lends: keys, values and index arguments of the common pool. */
export interface SharedArbitraries {
  readonly key: Arb<string>
  readonly keys: (min: number, max: number) => Arb<Array<string>>
  readonly value: Arb<string>
  readonly index: Arb<string>
}

/** A step whose argv is the concatenation of the parts (a string part is taken as it is). */
export const cmd = (...parts: Array<Arb<string> | Arb<Array<string>> | string>): Arb<Step> =>
  fc
    .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<Arb<string | Array<string>>>)
    .map((values) => ({ argv: values.flat() }))

/** Exact steps sent as one pipeline (one batch on our side), their replies compared in order. */
export const pipelined = (steps: ReadonlyArray<Step>): Step => ({
  argv: steps.flatMap((step, i) => (i === 0 ? step.argv : [PIPELINE_BREAK, ...step.argv])),
  special: "pipeline"
})
