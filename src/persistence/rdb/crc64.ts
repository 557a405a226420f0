/**
 * CRC-64/Jones, the checksum Redis puts at the end of an RDB file (reflected, polynomial
 * 0xad93d23594c935a9, initial value 0, no final xor; check value for "123456789" is
 * 0xe9c6d914c4b8d9ca). Kept as two 32-bit halves so the inner loop stays in small integers.
 */
const POLY_HI = 0x95ac9329 // the polynomial reflected: 0x95ac9329ac4bc9b5
const POLY_LO = 0xac4bc9b5

const TABLE_HI = new Uint32Array(256)
const TABLE_LO = new Uint32Array(256)
for (let i = 0; i < 256; i++) {
  let hi = 0
  let lo = i
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
    hi = hi >>> 1
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0
      lo = (lo ^ POLY_LO) >>> 0
    }
  }
  TABLE_HI[i] = hi
  TABLE_LO[i] = lo
}

/** A running CRC-64: feed it bytes in order, read `value` at the end. */
export class Crc64 {
  private hi = 0
  private lo = 0

  update(bytes: Uint8Array, start = 0, end = bytes.length): void {
    let hi = this.hi
    let lo = this.lo
    for (let i = start; i < end; i++) {
      const index = (lo ^ bytes[i]) & 0xff
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[index]
      hi = (hi >>> 8) ^ TABLE_HI[index]
    }
    this.hi = hi >>> 0
    this.lo = lo >>> 0
  }

  /** The checksum as the 8 little-endian bytes Redis writes. */
  bytes(): Buffer {
    const out = Buffer.alloc(8)
    out.writeUInt32LE(this.lo, 0)
    out.writeUInt32LE(this.hi, 4)
    return out
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo)
  }
}
