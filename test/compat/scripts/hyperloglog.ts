import type { Script } from "../compare.js"
export const hyperLogLogScripts: ReadonlyArray<Script> = []
