/** The libraries Redis adds to Lua's own: cjson, cmsgpack, bit and struct. */
import { openBit } from "./bit.js"
import { openCjson } from "./cjson.js"
import { openCmsgpack } from "./cmsgpack.js"
import { openStruct } from "./struct.js"

export const openRedisLibraries = (L: unknown): void => {
  openCjson(L)
  openStruct(L)
  openCmsgpack(L)
  openBit(L)
}
