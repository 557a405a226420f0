/**
 * DUMP / RESTORE payloads in Redis's format: a value as in an RDB file (its type byte, then its
 * body), the RDB version as 2 bytes little-endian (10 for Redis 7.0), and the CRC-64 of all that
 * (8 bytes little-endian).
 *
 * DUMP writes the encodings Redis 7.0 writes, byte for byte, for values kept in the same encoding
 * (OBJECT ENCODING): listpacks for small hashes and sorted sets, an intset for a small set of
 * integers, quicklist nodes of listpacks for lists, strings as integers or LZF-compressed when
 * Redis would. Large hashes and sets come out in our iteration order where Redis uses its hash
 * table's; either way the payload restores to the same value. A type may register its own DUMP
 * writer (`registerDumpWriter`); without one, its persistence codec's plain RDB encoding is used.
 *
 * RESTORE reads whatever the RDB loader reads (every Redis 7.0 encoding of the supported types).
 */
import { formatScore } from "../protocol/score-text.js"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { HashValue } from "../keyspace/values/HashValue.js"
import type { ListValue } from "../keyspace/values/ListValue.js"
import type { SetValue } from "../keyspace/values/SetValue.js"
import type { SortedSetValue } from "../keyspace/values/SortedSetValue.js"
import type { CollectionValue, RedisValue } from "../keyspace/Value.js"
import { intsetMembers, listpackElements } from "./rdb/CompactEncodings.js"
import { intsetOfValues, ListpackBuilder, listpackOf, writeEncodedBlob, writeEncodedString } from "./rdb/CompactWriters.js"
import { Crc64 } from "./rdb/crc64.js"
import { RDB_VERSION, RdbReader, RdbWriter, TYPE_HASH, TYPE_SET, TYPE_STRING, TYPE_ZSET_2 } from "./rdb/RdbFormat.js"
import { readRdbValue, writeRdbValue } from "./ValueCodecs.js"

/** What shapes a DUMP: rdbcompression, and list-max-listpack-size for quicklist nodes. */
export interface DumpOptions {
  readonly compress: boolean
  readonly listFill: number
}

export const dumpOptionsOf = (config: RuntimeConfig): DumpOptions => ({
  compress: (config.extra.get("rdbcompression") ?? "yes") === "yes",
  listFill: Number(config.extra.get("list-max-listpack-size") ?? "-2")
})

/** Writes a value's type byte and body as DUMP does. */
export type DumpWriter = (value: CollectionValue, out: RdbWriter, options: DumpOptions) => void

const writers = new Map<string, DumpWriter>()

/** Gives values of `type` their own DUMP encoding (Redis's compact ones). */
export const registerDumpWriter = (type: CollectionValue["type"], writer: DumpWriter): void => {
  writers.set(type, writer)
}

const TYPE_SET_INTSET = 11
const TYPE_HASH_LISTPACK = 16
const TYPE_ZSET_LISTPACK = 17
const TYPE_LIST_QUICKLIST_2 = 18
const QUICKLIST_NODE_PACKED = 2

/** Redis's `quicklist` node size limits for a negative fill: -1 is 4 kB ... -5 is 64 kB. */
const NODE_SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536]
const NODE_SAFETY_LIMIT = 8192

/**
 * Whether a quicklist node of `nodeBytes` and `count` entries takes an element of `size` bytes
 * (Redis 7.0.15's `_quicklistNodeAllowInsert`: an 8-byte overestimate of the entry's overhead,
 * then the size limit of a negative fill, or the 8 kB safety limit and the count of a positive one).
 */
const nodeTakes = (nodeBytes: number, count: number, size: number, fill: number): boolean => {
  const newBytes = nodeBytes + size + 8
  if (fill < 0) return newBytes <= (NODE_SIZE_LIMITS[-fill - 1] ?? NODE_SIZE_LIMITS[NODE_SIZE_LIMITS.length - 1])
  return newBytes <= NODE_SAFETY_LIMIT && count < fill
}

/** A list's quicklist nodes (their listpacks), filled in order as RPUSH fills them (DEBUG OBJECT counts them too). */
export const quicklistNodes = (list: ListValue, fill: number): Array<Buffer> => {
  const nodes: Array<Buffer> = []
  let node = new ListpackBuilder()
  for (let i = 0; i < list.length; i++) {
    const element = list.at(i)
    if (node.entries > 0 && !nodeTakes(node.size, node.entries, element.length, fill)) {
      nodes.push(node.finish())
      node = new ListpackBuilder()
    }
    node.append(element)
  }
  if (node.entries > 0) nodes.push(node.finish())
  return nodes
}

/** A list as a quicklist whose nodes are filled in order, as RPUSH fills them. */
const writeList: DumpWriter = (value, out, options) => {
  const nodes = quicklistNodes(value as ListValue, options.listFill)
  out.byte(TYPE_LIST_QUICKLIST_2)
  out.lengthField(nodes.length)
  for (const blob of nodes) {
    out.lengthField(QUICKLIST_NODE_PACKED)
    writeEncodedBlob(out, blob, options.compress)
  }
}

const writeHash: DumpWriter = (value, out, options) => {
  const hash = value as HashValue
  if (hash.listpack) {
    out.byte(TYPE_HASH_LISTPACK)
    writeEncodedBlob(out, listpackOf(flatten(hash.fields)), options.compress)
    return
  }
  out.byte(TYPE_HASH)
  out.lengthField(hash.size)
  for (const [field, text] of hash.fields) {
    writeEncodedString(out, field, options.compress)
    writeEncodedString(out, text, options.compress)
  }
}

function* flatten(fields: ReadonlyMap<string, string>): Iterable<string> {
  for (const [field, text] of fields) {
    yield field
    yield text
  }
}

const writeSet: DumpWriter = (value, out, options) => {
  const set = value as SetValue
  if (set.intset) {
    out.byte(TYPE_SET_INTSET)
    writeEncodedBlob(out, intsetOfValues(set.integers()), options.compress)
    return
  }
  out.byte(TYPE_SET)
  out.lengthField(set.size)
  for (const member of set.toArray()) writeEncodedString(out, member, options.compress)
}

/** A listpack of member, score pairs in order; a skiplist from the highest score down, as Redis saves it. */
const writeZset: DumpWriter = (value, out, options) => {
  const zset = value as SortedSetValue
  const scores: Array<number> = []
  const members: Array<string> = []
  zset.tree.collect(scores, members)
  if (zset.listpack) {
    const builder = new ListpackBuilder()
    for (let i = 0; i < members.length; i++) {
      builder.append(members[i])
      builder.append(formatScore(scores[i]))
    }
    out.byte(TYPE_ZSET_LISTPACK)
    writeEncodedBlob(out, builder.finish(), options.compress)
    return
  }
  out.byte(TYPE_ZSET_2)
  out.lengthField(members.length)
  for (let i = members.length - 1; i >= 0; i--) {
    writeEncodedString(out, members[i], options.compress)
    out.double(scores[i])
  }
}

registerDumpWriter("list", writeList)
registerDumpWriter("hash", writeHash)
registerDumpWriter("set", writeSet)
registerDumpWriter("zset", writeZset)

/** The DUMP payload of `value`. */
export const dumpPayload = (value: RedisValue, options: DumpOptions): Buffer => {
  const out = new RdbWriter()
  if (typeof value === "string") {
    out.byte(TYPE_STRING)
    writeEncodedString(out, value, options.compress)
  } else {
    const writer = writers.get(value.type)
    if (writer !== undefined) writer(value, out, options)
    else writeRdbValue(out, value)
  }
  out.byte(RDB_VERSION & 0xff)
  out.byte(RDB_VERSION >> 8)
  const body = out.take()
  const crc = new Crc64()
  crc.update(body)
  return Buffer.concat([body, crc.bytes()])
}

/**
 * Whether a payload's footer is sound (Redis's verifyDumpPayload): at least the version and the
 * checksum, a version this server reads, a checksum that matches.
 */
export const verifyPayload = (payload: Buffer): boolean => {
  if (payload.length < 10) return false
  const footer = payload.length - 10
  if (payload.readUInt16LE(footer) > RDB_VERSION) return false
  const crc = new Crc64()
  crc.update(payload, 0, payload.length - 8)
  return crc.bytes().equals(payload.subarray(payload.length - 8))
}

/** The object types an RDB value may have in Redis 7.0 (rdbIsObjectType). */
const isObjectType = (type: number): boolean => (type >= 0 && type <= 7) || (type >= 9 && type <= 19)

/**
 * Redis's deep sanitization (sanitize-dump-payload yes, or clients): what a shallow load lets
 * through and this server's load would silently repair — a listpack hash or sorted set with an
 * odd number of elements or a repeated field, an intset not strictly ascending.
 */
const deeplySound = (type: number, reader: RdbReader): boolean => {
  if (type !== TYPE_HASH_LISTPACK && type !== TYPE_ZSET_LISTPACK && type !== TYPE_SET_INTSET) return true
  const blob = Buffer.from(reader.string(), "latin1")
  if (type === TYPE_SET_INTSET) {
    const members = intsetMembers(blob).map(BigInt)
    return members.every((member, i) => i === 0 || members[i - 1] < member)
  }
  const elements = listpackElements(blob)
  if (elements.length % 2 !== 0) return false
  const fields = new Set<string>()
  for (let i = 0; i < elements.length; i += 2) fields.add(elements[i])
  return fields.size === elements.length / 2
}

/**
 * The value in a verified payload, or undefined when its body is not a value this server can
 * read (Redis's "Bad data format"). `deep`: Redis's deep sanitization too. Never throws.
 */
export const restorePayload = (payload: Buffer, config: RuntimeConfig, deep = false): RedisValue | undefined => {
  const body = payload.subarray(0, payload.length - 10)
  try {
    if (deep) {
      const check = new RdbReader(body)
      if (!deeplySound(check.byte(), check)) return undefined
    }
    const reader = new RdbReader(body)
    const type = reader.byte()
    if (!isObjectType(type)) return undefined
    return readRdbValue(type, reader, config)
  } catch {
    return undefined
  }
}

/** Whether RESTORE sanitizes deeply: sanitize-dump-payload yes, or clients (RESTORE comes from one). */
export const sanitizesDeeply = (config: RuntimeConfig): boolean =>
  (config.extra.get("sanitize-dump-payload") ?? "no") !== "no"
