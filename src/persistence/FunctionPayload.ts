/**
 * FUNCTION DUMP's payload, as Redis 7.0 writes it: each library as the RDB function opcode and
 * its code (an RDB string, LZF-compressed as rdbcompression says), then DUMP's footer (the RDB
 * version and a CRC64, both little-endian).
 */
import { writeEncodedString } from "./rdb/CompactWriters.js"
import { Crc64 } from "./rdb/crc64.js"
import { OPCODE_FUNCTION, OPCODE_FUNCTION2, RDB_VERSION, RdbReader, RdbWriter } from "./rdb/RdbFormat.js"
import { verifyPayload } from "./DumpPayload.js"

/** The server's function libraries as persistence sees them (RDB files and AOF rewrites). */
export interface FunctionLibraryStore {
  /** Each library's code (with its shebang line). */
  codes(): ReadonlyArray<string>
  /** Loads a library read from a file: undefined, or the error line. */
  load(code: string): string | undefined
}

export const functionsPayload = (codes: ReadonlyArray<string>, compress: boolean): Buffer => {
  const out = new RdbWriter()
  for (const code of codes) {
    out.byte(OPCODE_FUNCTION2)
    writeEncodedString(out, code, compress)
  }
  out.byte(RDB_VERSION & 0xff)
  out.byte(RDB_VERSION >> 8)
  const body = out.take()
  const crc = new Crc64()
  crc.update(body)
  return Buffer.concat([body, crc.bytes()])
}

/** The libraries' codes in a FUNCTION RESTORE payload, or Redis's error line. */
export const functionCodesOf = (payload: Buffer): Array<string> | string => {
  if (!verifyPayload(payload)) return "ERR DUMP payload version or checksum are wrong"
  const reader = new RdbReader(payload.subarray(0, payload.length - 10))
  const codes: Array<string> = []
  try {
    while (reader.offset < payload.length - 10) {
      const type = reader.byte()
      if (type === OPCODE_FUNCTION) return "ERR Pre-GA function format not supported"
      if (type !== OPCODE_FUNCTION2) return "ERR given type is not a function"
      codes.push(reader.string())
    }
  } catch {
    return "ERR failed loading the given functions payload"
  }
  return codes
}
