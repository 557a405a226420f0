/**
 * The layout of a key's record in an Arena slab, and how to read one. Both the live KeyTable and
 * a TableSnapshot (which reads the slabs as they were when it was taken) use these functions,
 * each with its own views of the slabs and of the heap.
 *
 * Record layout (byte offsets):
 *
 *   0 next ref (-1: end of chain)
 *   4 meta: class (bits 0-5), kind (6-7), key on heap (8), encoding note (9-10), has expire (11),
 *     key length (12-24; 0 for a key on the heap), the hash's top 7 bits (25-31)
 *   8 value length or heap index     12 position in the list of keys with a TTL
 *  16 access stamp (LRU time or LFU counter, see AccessClock)
 *  20 key bytes (or its heap index), then the value bytes
 *
 * A key's expiry is kept beside its position in the dense list of keys with a TTL, not in the
 * record: most keys have none. The hash is not kept whole (a resize computes it again from the key):
 * its top bits and the key's length rule out nearly every other key of a chain without reading its
 * bytes, and a 20-byte header puts a 16-byte key and a 10-byte value in a 48-byte record, not 56.
 */
import { byteString } from "../../protocol/ByteString.js"

export const NEXT = 0
export const META = 1
export const VALUE = 2
export const VOLATILE_POS = 3
export const ACCESS = 4
/** Word offset of the key's heap index, for a key kept on the heap. */
export const KEY_HEAP_INDEX = 5
export const HEADER_BYTES = 20

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
export const KEY_LENGTH_SHIFT = 12
export const KEY_LENGTH_MASK = 0x1fff << KEY_LENGTH_SHIFT
/** The bits of meta that identify a key beside its bytes: its length and its hash's top bits. */
export const IDENTITY_MASK = ~0xfff

/** The identity bits (see IDENTITY_MASK) of a key of `length` chars (0: kept on the heap) and hash `hash`. */
export const identityOf = (length: number, hash: number): number =>
  ((hash >>> 25) << 25) | (length << KEY_LENGTH_SHIFT)

/** The length of an inline key, from the record's meta word. */
export const keyLengthOf = (meta: number): number => (meta & KEY_LENGTH_MASK) >>> KEY_LENGTH_SHIFT

/**
 * The values and long keys a table keeps as JS values, by index, in chunks of 1024 slots: a chunk
 * (8 KB) is an ordinary heap object, and growing the table adds one, where a single array would be
 * copied at every growth into a new large object (the old copies stay resident until a full GC).
 */
export const HEAP_CHUNK_BITS = 10
export const HEAP_CHUNK_SLOTS = 1 << HEAP_CHUNK_BITS
export const HEAP_CHUNK_MASK = HEAP_CHUNK_SLOTS - 1
export type HeapChunks = ReadonlyArray<ReadonlyArray<unknown>>

export const heapSlot = (heap: HeapChunks, index: number): unknown =>
  heap[index >>> HEAP_CHUNK_BITS][index & HEAP_CHUNK_MASK]

/** The slabs of one arena as a reader sees them (live, or frozen by a snapshot). */
export interface SlabViews {
  readonly bytes: ReadonlyArray<Buffer>
  readonly words: ReadonlyArray<Int32Array>
}

export const readKey = (slabs: SlabViews, heap: HeapChunks, ref: number): string => {
  const words = slabs.words[ref >>> 17]
  const w = (ref & 0x1ffff) << 1
  const meta = words[w + META]
  if ((meta & KEY_ON_HEAP) !== 0) return heapSlot(heap, words[w + KEY_HEAP_INDEX]) as string
  return byteString(slabs.bytes[ref >>> 17], (w << 2) + HEADER_BYTES, keyLengthOf(meta))
}

/** The value: a byte string, or the object kept on the heap. */
export const readValue = (slabs: SlabViews, heap: HeapChunks, ref: number): unknown => {
  const words = slabs.words[ref >>> 17]
  const w = (ref & 0x1ffff) << 1
  const meta = words[w + META]
  if ((meta & KIND_MASK) !== 0) return heapSlot(heap, words[w + VALUE])
  return byteString(slabs.bytes[ref >>> 17], (w << 2) + HEADER_BYTES + keyLengthOf(meta), words[w + VALUE])
}

/** The next record in the chain, or -1. */
export const readNext = (slabs: SlabViews, ref: number): number => slabs.words[ref >>> 17][((ref & 0x1ffff) << 1) + NEXT]

export const readMeta = (slabs: SlabViews, ref: number): number => slabs.words[ref >>> 17][((ref & 0x1ffff) << 1) + META]

/** The record's position in the list of keys with a TTL (meaningful only with HAS_EXPIRE). */
export const readVolatilePosition = (slabs: SlabViews, ref: number): number =>
  slabs.words[ref >>> 17][((ref & 0x1ffff) << 1) + VOLATILE_POS]
