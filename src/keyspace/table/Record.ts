/**
 * The layout of a key's record in an Arena slab, and how to read one. Both the live KeyTable and
 * a TableSnapshot (which reads the slabs as they were when it was taken) use these functions,
 * each with its own views of the slabs and of the heap.
 *
 * Record layout (byte offsets):
 *
 *   0 next ref (-1: end of chain)   4 hash        8 key length    12 value length or heap index
 *  16 meta (class, kind, flags)    20 position in the list of keys with a TTL
 *  24 access stamp (LRU time or LFU counter, see AccessClock)
 *  28 key bytes (or its heap index), then the value bytes
 *
 * A key's expiry is kept beside its position in the dense list of keys with a TTL, not in the
 * record: most keys have none, and a 28-byte header keeps a short key and value in one cache line.
 */
import { byteString } from "../../protocol/ByteString.js"

export const NEXT = 0
export const HASH = 1
export const KEY_LENGTH = 2
export const VALUE = 3
export const META = 4
export const VOLATILE_POS = 5
export const ACCESS = 6
/** Word offset of the key's heap index, for a key kept on the heap. */
export const KEY_HEAP_INDEX = 7
export const HEADER_BYTES = 28

export const CLASS_MASK = 0x3f
export const KIND_SHIFT = 6
export const KIND_MASK = 3 << KIND_SHIFT
/** The value's bytes follow the key in the record. */
export const KIND_INLINE = 0
/** The value is a JS string on the heap (too long for a record). */
export const KIND_HEAP_STRING = 1
/** The value is an object on the heap (a list, hash, set, ...). */
export const KIND_OBJECT = 2
export const KEY_ON_HEAP = 1 << 8
export const ENCODING_SHIFT = 9
export const ENCODING_MASK = 3 << ENCODING_SHIFT
export const HAS_EXPIRE = 1 << 11

/** The slabs of one arena as a reader sees them (live, or frozen by a snapshot). */
export interface SlabViews {
  readonly bytes: ReadonlyArray<Buffer>
  readonly words: ReadonlyArray<Int32Array>
}

export const readKey = (slabs: SlabViews, heap: ReadonlyArray<unknown>, ref: number): string => {
  const words = slabs.words[ref >>> 17]
  const w = (ref & 0x1ffff) << 1
  if ((words[w + META] & KEY_ON_HEAP) !== 0) return heap[words[w + KEY_HEAP_INDEX]] as string
  return byteString(slabs.bytes[ref >>> 17], (w << 2) + HEADER_BYTES, words[w + KEY_LENGTH])
}

/** The value: a byte string, or the object kept on the heap. */
export const readValue = (slabs: SlabViews, heap: ReadonlyArray<unknown>, ref: number): unknown => {
  const words = slabs.words[ref >>> 17]
  const w = (ref & 0x1ffff) << 1
  if ((words[w + META] & KIND_MASK) !== 0) return heap[words[w + VALUE]]
  return byteString(slabs.bytes[ref >>> 17], (w << 2) + HEADER_BYTES + words[w + KEY_LENGTH], words[w + VALUE])
}

/** The next record in the chain, or -1. */
export const readNext = (slabs: SlabViews, ref: number): number => slabs.words[ref >>> 17][((ref & 0x1ffff) << 1) + NEXT]

export const readMeta = (slabs: SlabViews, ref: number): number => slabs.words[ref >>> 17][((ref & 0x1ffff) << 1) + META]

/** The record's position in the list of keys with a TTL (meaningful only with HAS_EXPIRE). */
export const readVolatilePosition = (slabs: SlabViews, ref: number): number =>
  slabs.words[ref >>> 17][((ref & 0x1ffff) << 1) + VOLATILE_POS]
