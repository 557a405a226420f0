import type { Script } from "../compare.js"
export const sortScripts: ReadonlyArray<Script> = []
