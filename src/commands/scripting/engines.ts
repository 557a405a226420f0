/** The Lua engine of each server, made at the first script (a server without scripts pays nothing). */
import { LuaEngine } from "../../scripting/LuaEngine.js"
import type { ServerState } from "../../server/ServerState.js"

const engines = new WeakMap<ServerState, LuaEngine>()

export const engineOf = (server: ServerState): LuaEngine => {
  let engine = engines.get(server)
  if (engine === undefined) {
    engine = new LuaEngine()
    engines.set(server, engine)
  }
  return engine
}

/** The engine if one was made (INFO, SCRIPT EXISTS on a server that never ran a script). */
export const existingEngineOf = (server: ServerState): LuaEngine | undefined => engines.get(server)
