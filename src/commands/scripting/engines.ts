/** The Lua engine and function libraries of each server, made at first use (a server without scripts pays nothing). */
import type { FunctionLibraryStore } from "../../persistence/FunctionPayload.js"
import { FunctionLibraries } from "../../scripting/FunctionLibraries.js"
import { LuaEngine } from "../../scripting/LuaEngine.js"
import type { ServerState } from "../Command.js"

const engines = new WeakMap<ServerState, LuaEngine>()
const libraries = new WeakMap<ServerState, FunctionLibraries>()

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

export const librariesOf = (server: ServerState): FunctionLibraries => {
  let registry = libraries.get(server)
  if (registry === undefined) {
    registry = new FunctionLibraries(engineOf(server))
    libraries.set(server, registry)
  }
  return registry
}

/** The server's libraries for persistence (made only when a file has some to load). */
export const functionLibraryStore = (server: ServerState): FunctionLibraryStore => ({
  codes: () => [...(libraries.get(server)?.libraries.values() ?? [])].map((library) => library.code),
  load: (code) => {
    const loaded = librariesOf(server).load(code, false)
    return typeof loaded === "string" ? undefined : loaded.error
  }
})
