/**
 * What values cost on the JS heap, for maxmemory and INFO memory: O(1) estimates that each
 * collection keeps up to date as its own mutators run (its `memoryUsage()`).
 *
 * The constants were measured on Node 20 (x64, no pointer compression) by building collections
 * of 1, 10 and 50 000 elements of 8- and 100-byte strings and reading `heapUsed` after a full GC;
 * the estimates land within about 15 % of what was measured (more for single-element collections
 * of the larger types, whose fixed part dominates):
 * - a byte string: a 16-byte header and its bytes rounded up to 8;
 * - a slot of an array: 8 bytes; an entry of a native Map: about 40 bytes (3 slots in its hash
 *   table plus bucket and spare capacity), besides its key and value;
 * - the fixed part of each collection (its object, its empty Map/array/tree) as measured.
 */

/** Bytes of a byte string of `length` on the heap. */
export const stringBytes = (length: number): number => 16 + ((length + 7) & ~7)

export const ARRAY_SLOT_BYTES = 8
export const MAP_ENTRY_BYTES = 40

/** Fixed parts, measured with one element and the element's own cost subtracted. */
export const LIST_BASE_BYTES = 120
/** A packed list besides its packed string (see ListValue.ts). */
export const LIST_PACKED_BYTES = 72
export const HASH_BASE_BYTES = 200
/** A listpack-encoded hash besides its packed string (see HashValue.ts). */
export const HASH_PACKED_BYTES = 48
export const SET_BASE_BYTES = 350
/** An intset or packed set besides its string (see SetValue.ts). */
export const SET_PACKED_BYTES = 56
export const ZSET_BASE_BYTES = 600
/** A listpack-encoded sorted set besides its packed string (see SortedSetValue.ts). */
export const ZSET_PACKED_BYTES = 48
/** A sorted set's element besides its member: its Map entry, its boxed score, its tree slots. */
export const ZSET_ELEMENT_BYTES = MAP_ENTRY_BYTES + 16 + 2 * ARRAY_SLOT_BYTES
