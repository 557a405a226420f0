/**
 * FUNCTION libraries: `#!lua name=<library>` code whose loading registers named functions
 * (redis.register_function). Libraries and their functions live in the Lua engine's state; this
 * registry keeps them by name, with the code FUNCTION LIST WITHCODE shows.
 */
import { isValidName, type LuaEngine, type RegisteredFunction } from "./LuaEngine.js"

export interface FunctionLibrary {
  readonly name: string
  readonly code: string
  readonly functions: ReadonlyArray<RegisteredFunction>
}

export interface LibraryFunction {
  readonly fn: RegisteredFunction
  readonly library: FunctionLibrary
}

/** A library's name from its shebang line, or the error line (Redis's functionExtractLibMetaData). */
const libraryMetadata = (code: string): { readonly name: string; readonly body: string } | string => {
  if (!code.startsWith("#!")) return "ERR Missing library metadata"
  const end = code.indexOf("\n")
  const shebang = end < 0 ? code : code.slice(0, end)
  const parts = shebang.split(" ").filter((part) => part.length > 0)
  const engine = parts[0].slice(2)
  let name: string | undefined
  for (const part of parts.slice(1)) {
    if (!part.startsWith("name=")) return `ERR Invalid metadata value given: ${part}`
    name = part.slice(5)
  }
  if (name === undefined) return "ERR Library name was not given"
  if (engine.toLowerCase() !== "lua") return `ERR Engine '${engine}' not found`
  if (!isValidName(name)) {
    return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
  }
  return { name, body: end < 0 ? "" : code.slice(end) }
}

export class FunctionLibraries {
  readonly libraries = new Map<string, FunctionLibrary>()
  readonly functions = new Map<string, LibraryFunction>()

  constructor(private readonly engine: LuaEngine) {}

  /** FUNCTION LOAD: the library's name, or the error line. */
  load(code: string, replace: boolean): string | { readonly error: string } {
    const metadata = libraryMetadata(code)
    if (typeof metadata === "string") return { error: metadata }
    const existing = this.libraries.get(metadata.name)
    if (existing !== undefined && !replace) return { error: `ERR Library '${metadata.name}' already exists` }
    const registered = this.engine.loadLibrary(metadata.body)
    if (typeof registered === "string") return { error: registered }
    for (const fn of registered) {
      const owner = this.functions.get(fn.name)
      if (owner !== undefined && owner.library.name !== metadata.name) {
        for (const dropped of registered) this.engine.unref(dropped.ref)
        return { error: `ERR Function ${fn.name} already exists` }
      }
    }
    if (existing !== undefined) this.delete(existing.name)
    const library: FunctionLibrary = { name: metadata.name, code, functions: registered }
    this.libraries.set(library.name, library)
    for (const fn of registered) this.functions.set(fn.name, { fn, library })
    return metadata.name
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    const library = this.libraries.get(name)
    if (library === undefined) return false
    for (const fn of library.functions) {
      this.functions.delete(fn.name)
      this.engine.unref(fn.ref)
    }
    this.libraries.delete(name)
    return true
  }

  flush(): void {
    for (const name of [...this.libraries.keys()]) this.delete(name)
  }

  /**
   * FUNCTION RESTORE: loads `codes` as one set — FLUSH drops every library first, APPEND refuses
   * a library that exists, REPLACE replaces it. All or nothing: on an error the libraries are
   * as they were. Undefined, or the error line.
   */
  restore(codes: ReadonlyArray<string>, policy: "flush" | "append" | "replace"): string | undefined {
    const before = [...this.libraries.values()].map((library) => library.code)
    const names: Array<string> = []
    for (const code of codes) {
      const metadata = libraryMetadata(code)
      if (typeof metadata === "string") return metadata
      if (names.includes(metadata.name)) return `ERR Library '${metadata.name}' already exists`
      names.push(metadata.name)
      if (policy === "append" && this.libraries.has(metadata.name)) return `ERR Library ${metadata.name} already exists`
    }
    // Replaced libraries go first, so their functions may move to another restored library.
    if (policy === "flush") this.flush()
    else if (policy === "replace") for (const name of names) this.delete(name)
    for (const code of codes) {
      const loaded = this.load(code, false)
      if (typeof loaded !== "string") {
        this.flush()
        for (const old of before) this.load(old, false)
        return loaded.error
      }
    }
    return undefined
  }
}
