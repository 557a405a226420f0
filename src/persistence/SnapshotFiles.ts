/**
 * A keyspace snapshot written out, in slices: as an RDB file (SAVE, BGSAVE, shutdown) or as the
 * commands of a rewritten append-only file (BGREWRITEAOF). Each is a generator of Buffers, a few
 * hundred keys' worth each, so the background writer can hand the event loop back between
 * slices and the synchronous one (SAVE) can simply write them all.
 *
 * Keys whose time has passed are left out (as Redis leaves them out of a snapshot).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { KeyspaceSnapshot } from "../keyspace/Keyspace.js"
import type { TableSnapshot } from "../keyspace/table/TableSnapshot.js"
import type { RedisValue } from "../keyspace/Value.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import { replaceFile } from "./AppendOnlyFile.js"
import { RdbWriter } from "./rdb/RdbFormat.js"
import { rewriteCommands, writeRdbEntry } from "./ValueCodecs.js"

/** Keys per slice: small enough that a slice takes well under a millisecond. */
const KEYS_PER_SLICE = 256

export interface SnapshotTotals {
  keys: number
  bytes: number
}

/**
 * Walks `table` KEYS_PER_SLICE keys at a time with `visit` (which writes to `out`), yielding what
 * `out` holds after each step.
 */
function* tableSlices(
  table: TableSnapshot,
  visit: (key: string, value: unknown, expireAt: number | undefined) => void,
  out: { readonly size: number; take(): Buffer },
  totals: SnapshotTotals
): Generator<Buffer> {
  let more = true
  while (more) {
    more = table.next(KEYS_PER_SLICE, visit)
    if (out.size === 0) continue
    const slice = out.take()
    totals.bytes += slice.length
    yield slice
  }
}

/** The RDB file of `snapshot` as Buffers; `totals` is filled in as it goes. */
export function* rdbSlices(
  snapshot: KeyspaceSnapshot,
  now: number,
  aux: ReadonlyArray<readonly [string, string]>,
  totals: SnapshotTotals,
  functionLibraries: ReadonlyArray<string> = []
): Generator<Buffer> {
  const out = new RdbWriter()
  out.header(aux)
  for (const code of functionLibraries) out.functionLibrary(code)
  for (let index = 0; index < snapshot.databases.length; index++) {
    const table = snapshot.databases[index]
    if (table.size === 0) continue
    out.selectDb(index, table.size, 0)
    const visit = (key: string, value: unknown, expireAt: number | undefined) => {
      if (expireAt !== undefined && expireAt <= now) return
      if (expireAt !== undefined) {
        out.byte(0xfc)
        out.millis(expireAt)
      }
      writeRdbEntry(out, key, value as RedisValue)
      totals.keys++
    }
    yield* tableSlices(table, visit, out, totals)
  }
  const last = out.finish()
  totals.bytes += last.length
  yield last
}

/** The commands of a rewritten AOF for `snapshot` as Buffers. */
export function* aofSlices(snapshot: KeyspaceSnapshot, now: number, totals: SnapshotTotals): Generator<Buffer> {
  const out = new ReplyWriter()
  const command = (argv: ReadonlyArray<string>) => {
    out.arrayHeader(argv.length)
    for (const arg of argv) out.bulk(arg)
  }
  for (let index = 0; index < snapshot.databases.length; index++) {
    const table = snapshot.databases[index]
    if (table.size === 0) continue
    command(["SELECT", String(index)])
    const visit = (key: string, value: unknown, expireAt: number | undefined) => {
      if (expireAt !== undefined && expireAt <= now) return
      for (const argv of rewriteCommands(key, value as RedisValue, expireAt)) command(argv)
      totals.keys++
    }
    yield* tableSlices(table, visit, out, totals)
  }
}

/** A temporary file next to `target`, unique to this process and kind of write. */
export const temporaryPath = (target: string, kind: string): string =>
  path.join(path.dirname(target), `temp-${kind}-${process.pid}.${path.basename(target)}`)

/** Writes `slices` to a temporary file, fsyncs it, and renames it to `target` (synchronous: SAVE, shutdown). */
export const writeFileAtomically = (target: string, slices: Iterable<Buffer>): void => {
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const temp = temporaryPath(target, "save")
  const fd = fs.openSync(temp, "w")
  try {
    for (const slice of slices) {
      let offset = 0
      while (offset < slice.length) offset += fs.writeSync(fd, slice, offset, slice.length - offset)
    }
    fs.fsyncSync(fd)
  } catch (error) {
    fs.closeSync(fd)
    fs.rmSync(temp, { force: true })
    throw error
  }
  fs.closeSync(fd)
  replaceFile(temp, target)
}
