/**
 * DEBUG OBJECT key: Redis 7.0's one-line description of a value —
 * `Value at:<address> refcount:<n> encoding:<enc> serializedlength:<bytes> lru:<clock>
 * lru_seconds_idle:<seconds>`, and for lists (always quicklists in 7.0) their nodes:
 * `ql_nodes ql_avg_node ql_listpack_max ql_compressed ql_uncompressed_size`.
 *
 * serializedlength is the length of the value as an RDB file stores it (without its type byte),
 * which is DUMP's payload less its type byte, version and checksum. The address is the key's slot
 * in our table: a stable, made-up pointer (Redis prints its heap address). Looking a key up here
 * is not an access, as in Redis.
 */
import { dumpOptionsOf, dumpPayload, quicklistNodes } from "../../persistence/DumpPayload.js"
import type { ListValue } from "../../keyspace/values/ListValue.js"
import type { CommandContext } from "../Command.js"
import { refcountOf } from "../keys/object.js"
import { encodingOf } from "../strings/encoding.js"

/** DUMP's payload around the RDB value body: the type byte, then 2 bytes of version and 8 of CRC. */
const DUMP_OVERHEAD = 1 + 2 + 8

/** The ql_* fields of a list, as Redis 7.0 prints them for its quicklist. */
const quicklistFields = (ctx: CommandContext, list: ListValue): string => {
  const fill = Number(ctx.server.config.extra.get("list-max-listpack-size") ?? "-2")
  const compressed = (ctx.server.config.extra.get("list-compress-depth") ?? "0") !== "0" ? 1 : 0
  const nodes = quicklistNodes(list, fill)
  let bytes = 0
  for (const node of nodes) bytes += node.length
  const average = nodes.length === 0 ? 0 : list.length / nodes.length
  return ` ql_nodes:${nodes.length} ql_avg_node:${average.toFixed(2)} ql_listpack_max:${fill}` +
    ` ql_compressed:${compressed} ql_uncompressed_size:${bytes}`
}

export const debugObject = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const key = argv[2]
  const ref = ctx.db.peek(key, ctx.now)
  if (ref === -1) return ctx.out.error("ERR no such key")
  const value = ctx.db.peekValue(key, ctx.now)!
  const stamp = ctx.db.table.accessStamp(ref)
  const serialized = dumpPayload(value, dumpOptionsOf(ctx.server.config)).length - DUMP_OVERHEAD
  const address = `0x7f${(0x10000000 + ref * 16).toString(16).padStart(10, "0")}`
  let line = `Value at:${address} refcount:${refcountOf(ctx, key, value)} encoding:${encodingOf(ctx.db, key, value)}` +
    ` serializedlength:${serialized} lru:${stamp} lru_seconds_idle:${ctx.keyspace.access.idleSeconds(stamp)}`
  if (typeof value !== "string" && value.type === "list") line += quicklistFields(ctx, value as ListValue)
  ctx.out.simple(line)
}
