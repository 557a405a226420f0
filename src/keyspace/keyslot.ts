/**
 * Redis Cluster's key-to-slot mapping: CRC16 (XMODEM: polynomial 0x1021, initial 0, no
 * reflection) of the key modulo 16384; when the key holds a `{...}` with at least one byte
 * between the first `{` and the first `}` after it, only those bytes are hashed (a hash tag, so
 * related keys share a slot). Keys are byte strings (latin1).
 */
export const CLUSTER_SLOTS = 16384

const TABLE = new Uint16Array(256)
for (let i = 0; i < 256; i++) {
  let crc = i << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  TABLE[i] = crc
}

/** CRC16/XMODEM of `text[start, end)` (its char codes as bytes). */
const crc16 = (text: string, start = 0, end = text.length): number => {
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ text.charCodeAt(i)) & 0xff]
  return crc
}

/** The slot of `key`, hash tags honoured. */
export const keySlot = (key: string): number => {
  const open = key.indexOf("{")
  if (open !== -1) {
    const close = key.indexOf("}", open + 1)
    if (close > open + 1) return crc16(key, open + 1, close) & (CLUSTER_SLOTS - 1)
  }
  return crc16(key) & (CLUSTER_SLOTS - 1)
}
