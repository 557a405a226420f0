/**
 * The order in which Lua 5.1 (Redis's Lua) traverses a table, for `cjson.encode` and
 * `cmsgpack.pack`, whose output follows `next`. fengari keeps a table's keys in insertion order;
 * Lua 5.1 walks its array part (1..n) and then its hash nodes, whose places follow from the
 * keys' hashes, the collisions and every rehash on the way. So the table is rebuilt here as
 * Lua 5.1 would have built it — the same keys inserted in the same order, from the sizes its
 * constructor gave it (`{a=1, b=2}` presizes, `{}` grows) — and its nodes are read back.
 *
 * Exact for tables whose keys were only ever added (the usual: a constructor, assignments,
 * cjson.decode); a key deleted and added again is placed as if first added then. Keys that
 * hash by address (tables, functions) are put at node 0's chain.
 */
import fengari from "fengari"

const { lua } = fengari

/** A key as Lua 5.1 hashes it. */
export type Lua51Key =
  | { readonly kind: "string"; readonly bytes: Uint8Array }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "other" }

/** Lua 5.1's MAXBITS and MAXASIZE (array indexes it counts). */
const MAXBITS = 26
const MAXASIZE = 1 << MAXBITS

/** luaS_newlstr's hash (Lua 5.1: seeded with the length, no random seed). */
export const lua51StringHash = (bytes: Uint8Array): number => {
  const length = bytes.length
  let h = length >>> 0
  const step = (length >> 5) + 1
  for (let l1 = length; l1 >= step; l1 -= step) {
    h = (h ^ (((h << 5) + (h >>> 2) + bytes[l1 - 1]) >>> 0)) >>> 0
  }
  return h
}

const doubleWords = new DataView(new ArrayBuffer(8))

/** The array index a key stands for (Lua 5.1's arrayindex), or 0. */
const arrayIndex = (key: Lua51Key): number =>
  key.kind === "number" && Number.isInteger(key.value) && key.value > 0 && key.value <= MAXASIZE ? key.value : 0

const ceilLog2 = (x: number): number => {
  let log = 0
  while (2 ** log < x) log++
  return log
}

/** luaO_fb2int: a constructor's size hint as the table's size. */
const fb2int = (x: number): number => {
  const e = (x >> 3) & 31
  return e === 0 ? x : ((x & 7) + 8) * 2 ** (e - 1)
}

class Lua51Table {
  /** Which array slots hold a value. */
  private array: Array<boolean> = []
  /** The key (an index into `keys`) at each node, -1 if free. */
  private nodeKey: Array<number> = []
  /** Each node's chain successor, -1 for none. */
  private nodeNext: Array<number> = []
  /** Free nodes are searched for downwards from here (Lua 5.1's lastfree). */
  private lastFree = 0

  /** The key standing for each array index. */
  private readonly indexKeys = new Map<number, number>()

  constructor(private readonly keys: ReadonlyArray<Lua51Key>, arraySize: number, hashSize: number) {
    keys.forEach((key, at) => {
      const index = arrayIndex(key)
      if (index > 0) this.indexKeys.set(index, at)
    })
    this.array = new Array<boolean>(arraySize).fill(false)
    this.setNodeVector(hashSize)
  }

  private setNodeVector(size: number): void {
    const count = size === 0 ? 0 : 2 ** ceilLog2(size)
    this.nodeKey = new Array<number>(count).fill(-1)
    this.nodeNext = new Array<number>(count).fill(-1)
    this.lastFree = count
  }

  private mainPosition(keyAt: number): number {
    const size = this.nodeKey.length
    const key = this.keys[keyAt]
    switch (key.kind) {
      case "string":
        return lua51StringHash(key.bytes) & (size - 1)
      case "boolean":
        return (key.value ? 1 : 0) & (size - 1)
      case "number": {
        if (key.value === 0) return 0
        doubleWords.setFloat64(0, key.value, true)
        const sum = (doubleWords.getUint32(0, true) + doubleWords.getUint32(4, true)) >>> 0
        return sum % ((size - 1) | 1)
      }
      default:
        return 0
    }
  }

  private freePosition(): number {
    while (this.lastFree > 0) {
      this.lastFree--
      if (this.nodeKey[this.lastFree] === -1) return this.lastFree
    }
    return -1
  }

  /** luaH_set of a key not in the table yet. */
  insert(keyAt: number): void {
    const index = arrayIndex(this.keys[keyAt])
    if (index > 0 && index <= this.array.length) {
      this.array[index - 1] = true
      return
    }
    if (this.nodeKey.length === 0) return this.rehashAndInsert(keyAt)
    let mp = this.mainPosition(keyAt)
    if (this.nodeKey[mp] !== -1) {
      const free = this.freePosition()
      if (free < 0) return this.rehashAndInsert(keyAt)
      let other = this.mainPosition(this.nodeKey[mp])
      if (other !== mp) {
        // The colliding key is out of its main position: it moves to the free node.
        while (this.nodeNext[other] !== mp) other = this.nodeNext[other]
        this.nodeNext[other] = free
        this.nodeKey[free] = this.nodeKey[mp]
        this.nodeNext[free] = this.nodeNext[mp]
        this.nodeNext[mp] = -1
      } else {
        // The new key goes to the free node, chained after its main position.
        this.nodeNext[free] = this.nodeNext[mp]
        this.nodeNext[mp] = free
        mp = free
      }
    }
    this.nodeKey[mp] = keyAt
  }

  /** Lua 5.1's rehash: new sizes from the keys' counts, then every key placed again. */
  private rehashAndInsert(keyAt: number): void {
    const nums = new Array<number>(MAXBITS + 1).fill(0)
    let arrayKeys = 0
    for (let i = 0; i < this.array.length; i++) {
      if (this.array[i]) {
        nums[ceilLog2(i + 1)]++
        arrayKeys++
      }
    }
    let total = arrayKeys
    for (const at of this.nodeKey) {
      if (at === -1) continue
      const index = arrayIndex(this.keys[at])
      if (index > 0) {
        nums[ceilLog2(index)]++
        arrayKeys++
      }
      total++
    }
    const extra = arrayIndex(this.keys[keyAt])
    if (extra > 0) {
      nums[ceilLog2(extra)]++
      arrayKeys++
    }
    total++
    // computesizes: the largest power of 2 that is more than half full.
    let inArray = 0
    let arraySize = 0
    let counted = 0
    for (let i = 0, twoToI = 1; Math.floor(twoToI / 2) < arrayKeys; i++, twoToI *= 2) {
      if (nums[i] > 0) {
        counted += nums[i]
        if (counted > twoToI / 2) {
          arraySize = twoToI
          inArray = counted
        }
      }
      if (counted === arrayKeys) break
    }
    this.resize(arraySize, total - inArray)
    this.insert(keyAt)
  }

  private resize(arraySize: number, hashSize: number): void {
    const oldArray = this.array
    const oldKeys = this.nodeKey
    if (arraySize > oldArray.length) this.array = [...oldArray, ...new Array<boolean>(arraySize - oldArray.length).fill(false)]
    this.setNodeVector(hashSize)
    if (arraySize < oldArray.length) {
      this.array = oldArray.slice(0, arraySize)
      for (let i = arraySize; i < oldArray.length; i++) {
        if (oldArray[i]) this.insert(this.keyOfIndex(i + 1))
      }
    }
    for (let i = oldKeys.length - 1; i >= 0; i--) if (oldKeys[i] !== -1) this.insert(oldKeys[i])
  }

  private keyOfIndex(index: number): number {
    return this.indexKeys.get(index) ?? -1
  }

  /** The keys (indexes into `keys`) in Lua 5.1's `next` order. */
  order(): Array<number> {
    const order: Array<number> = []
    for (let i = 0; i < this.array.length; i++) if (this.array[i]) order.push(this.keyOfIndex(i + 1))
    for (const at of this.nodeKey) if (at !== -1) order.push(at)
    return order
  }
}

/**
 * The traversal order Lua 5.1 gives `keys` (in insertion order) of a table made with size hint
 * `sizeHint` (fengari's OP_NEWTABLE B << 9 | C; 0 for a table that started empty).
 */
export const lua51Order = (keys: ReadonlyArray<Lua51Key>, sizeHint: number): Array<number> => {
  const table = new Lua51Table(keys, fb2int(sizeHint >> 9), fb2int(sizeHint & 511))
  for (let i = 0; i < keys.length; i++) table.insert(i)
  return table.order()
}

const describeKey = (L: unknown): Lua51Key => {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return { kind: "string", bytes: lua.lua_tolstring(L, -1) }
    case lua.LUA_TNUMBER:
      return { kind: "number", value: lua.lua_tonumber(L, -1) }
    case lua.LUA_TBOOLEAN:
      return { kind: "boolean", value: lua.lua_toboolean(L, -1) }
    default:
      return { kind: "other" }
  }
}

/**
 * Visits the entries of the table on top of the stack in Lua 5.1's `next` order: during `visit`
 * the key is at -2 and the value at -1 (visit leaves them there). Uses 4 stack slots.
 */
export const forEachInLua51Order = (L: unknown, visit: (key: Lua51Key) => void): void => {
  const keys: Array<Lua51Key> = []
  // The keys, kept in a table of their own while the order is worked out.
  lua.lua_createtable(L, 0, 0)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -3) !== 0) {
    lua.lua_pop(L, 1)
    keys.push(describeKey(L))
    lua.lua_pushvalue(L, -1)
    lua.lua_rawseti(L, -3, keys.length)
  }
  const hint = (lua.lua_topointer(L, -2) as { sizeHint?: number }).sizeHint ?? 0
  const order = keys.length < 2 ? [0].slice(0, keys.length) : lua51Order(keys, hint)
  for (const at of order) {
    lua.lua_rawgeti(L, -1, at + 1)
    lua.lua_pushvalue(L, -1)
    lua.lua_rawget(L, -4)
    visit(keys[at])
    lua.lua_pop(L, 2)
  }
  lua.lua_pop(L, 1)
}
