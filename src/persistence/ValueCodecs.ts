/**
 * How each type of value is persisted: its RDB encoding (write and read) and the commands that
 * rebuild it in a rewritten append-only file. Strings are handled here; each collection family
 * registers a codec (src/persistence/codecs/), so persistence needs no knowledge of their
 * internals beyond what the codec says.
 */
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { CollectionValue, RedisValue } from "../keyspace/Value.js"
import { type RdbReader, type RdbWriter, TYPE_STRING } from "./rdb/RdbFormat.js"

export interface CollectionCodec {
  readonly type: CollectionValue["type"]
  /** The RDB type bytes `read` understands. */
  readonly rdbTypes: ReadonlyArray<number>
  /** The RDB type byte `write` uses for `value`. */
  rdbType(value: CollectionValue): number
  /** Writes the value's body (after its type byte and key). */
  write(value: CollectionValue, out: RdbWriter): void
  /** Reads a body of RDB type `rdbType`; the config gives the encoding thresholds. */
  read(rdbType: number, reader: RdbReader, config: RuntimeConfig): CollectionValue
  /** Commands that rebuild the value at `key`, each with a bounded number of arguments. */
  rewrite(key: string, value: CollectionValue): Iterable<Array<string>>
}

const byType = new Map<string, CollectionCodec>()
const byRdbType = new Map<number, CollectionCodec>()

export const registerCodec = (codec: CollectionCodec): void => {
  byType.set(codec.type, codec)
  for (const rdbType of codec.rdbTypes) byRdbType.set(rdbType, codec)
}

const codecFor = (value: CollectionValue): CollectionCodec => {
  const codec = byType.get(value.type)
  if (codec === undefined) throw new Error(`no persistence codec for values of type ${value.type}`)
  return codec
}

/** Writes `[type] key value` for one entry. */
export const writeRdbEntry = (out: RdbWriter, key: string, value: RedisValue): void => {
  if (typeof value === "string") {
    out.byte(TYPE_STRING)
    out.string(key)
    out.string(value)
    return
  }
  const codec = codecFor(value)
  out.byte(codec.rdbType(value))
  out.string(key)
  codec.write(value, out)
}

/** Writes a collection's type byte and body, without a key (DUMP's fallback for a type without its own writer). */
export const writeRdbValue = (out: RdbWriter, value: CollectionValue): void => {
  const codec = codecFor(value)
  out.byte(codec.rdbType(value))
  codec.write(value, out)
}

/** Reads a value of RDB type `rdbType`. */
export const readRdbValue = (rdbType: number, reader: RdbReader, config: RuntimeConfig): RedisValue => {
  if (rdbType === TYPE_STRING) return reader.string()
  const codec = byRdbType.get(rdbType)
  if (codec === undefined) return reader.fail(`unsupported value type ${rdbType}`)
  return codec.read(rdbType, reader, config)
}

/** The commands that rebuild `key` in a rewritten AOF: the value, then its expiry. */
export function* rewriteCommands(key: string, value: RedisValue, expireAt: number | undefined): Iterable<Array<string>> {
  if (typeof value === "string") {
    yield expireAt === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", millisText(expireAt)]
    return
  }
  yield* codecFor(value).rewrite(key, value)
  if (expireAt !== undefined) yield ["PEXPIREAT", key, millisText(expireAt)]
}

const millisText = (at: number): string => (Number.isSafeInteger(at) ? String(at) : BigInt(Math.trunc(at)).toString())

/** Splits `items` into commands of `prefix` plus at most `perCommand` items (AOF_REWRITE_ITEMS_PER_CMD is 64). */
export function* batched<T>(
  prefix: ReadonlyArray<string>,
  items: Iterable<T>,
  spread: (item: T, into: Array<string>) => void,
  perCommand = 64
): Iterable<Array<string>> {
  let command = [...prefix]
  let count = 0
  for (const item of items) {
    spread(item, command)
    if (++count === perCommand) {
      yield command
      command = [...prefix]
      count = 0
    }
  }
  if (count > 0) yield command
}
