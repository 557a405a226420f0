/** The libraries Redis adds to Lua's own: cjson, cmsgpack, bit and struct. */
import { openBit } from "./bit.js"
import { openCjson } from "./cjson.js"

export const openRedisLibraries = (L: unknown): void => {
  openCjson(L)
  openBit(L)
}
