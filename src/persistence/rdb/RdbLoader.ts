/**
 * Loads an RDB file into the keyspace at start-up: Redis 7.0's format (version ≤ 10), the types
 * a codec is registered for, strings in every encoding. The checksum is verified when the file
 * has one (a zero checksum means "not computed", as Redis writes with rdbchecksum no). Keys whose
 * time has passed are not loaded.
 */
import type { FunctionLibraryStore } from "../FunctionPayload.js"
import * as fs from "node:fs"
import type { RuntimeConfig } from "../../config/RuntimeConfig.js"
import type { Keyspace } from "../../keyspace/Keyspace.js"
import { readRdbValue } from "../ValueCodecs.js"
import { Crc64 } from "./crc64.js"
import {
  OPCODE_AUX,
  OPCODE_EOF,
  OPCODE_EXPIRETIME,
  OPCODE_EXPIRETIME_MS,
  OPCODE_FREQ,
  OPCODE_FUNCTION,
  OPCODE_FUNCTION2,
  OPCODE_IDLE,
  OPCODE_MODULE_AUX,
  OPCODE_RESIZEDB,
  OPCODE_SELECTDB,
  RdbFormatError,
  RdbReader
} from "./RdbFormat.js"

export interface RdbLoadResult {
  readonly keys: number
  readonly expired: number
  readonly bytes: number
  /** The AUX fields (a primary's snapshot says which database its stream is in: repl-stream-db). */
  readonly aux: ReadonlyMap<string, string>
  /** The code of each function library (FUNCTION LOAD's argument), for the caller to load. */
  readonly functionLibraries: ReadonlyArray<string>
}

/**
 * Newest RDB version read: Redis 7.2 (11) and 7.4 (12) files load when they hold only what
 * version 10 can (their new types fail as unsupported values).
 */
const LOADABLE_RDB_VERSION = 12

export const loadRdbFile = (
  filePath: string,
  keyspace: Keyspace,
  config: RuntimeConfig,
  now: number,
  functions?: FunctionLibraryStore
): RdbLoadResult => loadRdbBuffer(fs.readFileSync(filePath), keyspace, config, now, functions)

/** Loads an RDB held in memory (a primary's snapshot, as a replica receives it). */
export const loadRdbBuffer = (
  buf: Buffer,
  keyspace: Keyspace,
  config: RuntimeConfig,
  now: number,
  functions?: FunctionLibraryStore
): RdbLoadResult => {
  const reader = new RdbReader(buf)
  const magic = reader.fixed(9).latin1Slice()
  if (!magic.startsWith("REDIS")) reader.fail("not an RDB file (no REDIS signature)")
  const version = Number(magic.slice(5))
  if (!Number.isInteger(version) || version < 1 || version > LOADABLE_RDB_VERSION) {
    reader.fail(`RDB version ${magic.slice(5)} is not supported (up to ${LOADABLE_RDB_VERSION})`)
  }
  let db = keyspace.databases[0]
  let keys = 0
  let expired = 0
  let expireAt: number | undefined
  const aux = new Map<string, string>()
  const functionLibraries: Array<string> = []
  for (;;) {
    const type = reader.byte()
    switch (type) {
      case OPCODE_EOF: {
        const end = reader.offset
        if (version >= 5 && reader.offset + 8 <= buf.length) {
          const stored = reader.fixed(8)
          if (!stored.equals(Buffer.alloc(8))) {
            const crc = new Crc64()
            crc.update(buf, 0, end)
            if (!crc.bytes().equals(stored)) throw new RdbFormatError(end, "wrong RDB checksum")
          }
        }
        return { keys, expired, bytes: buf.length, aux, functionLibraries }
      }
      case OPCODE_SELECTDB: {
        const index = reader.length()
        const selected = keyspace.databases[index]
        if (selected === undefined) reader.fail(`database ${index} is out of range (databases ${keyspace.databases.length})`)
        db = selected
        continue
      }
      case OPCODE_RESIZEDB:
        reader.length()
        reader.length()
        continue
      case OPCODE_AUX: {
        const name = reader.string()
        aux.set(name, reader.string())
        continue
      }
      case OPCODE_EXPIRETIME_MS:
        expireAt = Number(reader.fixed(8).readBigInt64LE(0))
        continue
      case OPCODE_EXPIRETIME:
        expireAt = reader.fixed(4).readInt32LE(0) * 1000
        continue
      case OPCODE_IDLE:
        reader.length()
        continue
      case OPCODE_FREQ:
        reader.byte()
        continue
      case OPCODE_FUNCTION2: {
        // Loaded here when the caller gives the store; else handed back (a replica replaces its own).
        const code = reader.string()
        if (functions === undefined) {
          functionLibraries.push(code)
          continue
        }
        const error = functions.load(code)
        if (error !== undefined) reader.fail(`failed loading a function library: ${error}`)
        continue
      }
      case OPCODE_FUNCTION:
        return reader.fail("Pre-GA function format not supported")
      case OPCODE_MODULE_AUX:
        return reader.fail("module data is not supported")
      default: {
        const key = reader.string()
        const value = readRdbValue(type, reader, config)
        // A replica keeps keys whose time has passed: its primary's DEL removes them (Redis's iAmMaster check).
        if (expireAt !== undefined && expireAt <= now && !db.expiresFromPrimary) expired++
        else {
          if (expireAt === undefined) db.set(key, value)
          else db.setWithExpiry(key, value, expireAt)
          keys++
        }
        expireAt = undefined
      }
    }
  }
}
