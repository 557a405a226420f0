/**
 * A stream: entries (an ID and a flat field/value array) in ID order, plus consumer groups.
 *
 * Entries live in blocks that mirror Redis's radix tree of listpack nodes: a new block starts when
 * the last one has `nodeMaxEntries` slots (live plus deleted entries, as Redis counts them) or the
 * exact size of Redis's listpack for it plus the new strings reaches `nodeMaxBytes`. Keeping
 * Redis's node boundaries is what makes `MAXLEN ~` / `MINID ~` (which only drop whole nodes),
 * XINFO's radix-tree-keys and DUMP's bytes agree with Redis. A block packs its live entries'
 * IDs and bytes; an XDEL or exact trim moves an entry out to the block's tombstones, as Redis
 * keeps a deleted entry flagged in its node until the node empties. Appends are pushes onto the last block; lookups are a
 * binary search over blocks (by their last ID) and then inside one. With 100-entry blocks a
 * million-entry stream has 10 000 blocks: a search is ~14 + 7 string compares.
 *
 * IDs are 16-byte strings (StreamId.ts). Entries with the same field names as the previous one
 * share its name strings, as Redis's master entry shares them.
 */
import { byteString } from "../../protocol/ByteString.js"
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"
import type { CollectionValue } from "../Value.js"
import { deltaElementBytes, intElementBytes, stringElementBytes } from "./listpackSizes.js"
import { ARRAY_SLOT_BYTES, MAP_ENTRY_BYTES, stringBytes } from "./memoryEstimate.js"
import { SortedIds } from "./SortedIds.js"
import { decimalText, msText, type StreamId, ZERO_ID } from "./StreamId.js"

const STREAM_BASE_BYTES = 300
/** A block's object, its three arrays and their backing stores. */
const BLOCK_BYTES = 400
const ID_BYTES = stringBytes(16) + ARRAY_SLOT_BYTES
/** An entry's ID words (two for `*` IDs) and its start offset (its packed bytes are counted apart). */
const ENTRY_BYTES = 8 + 4
const GROUP_BYTES = 400
const CONSUMER_BYTES = 250
const NACK_BYTES = 80 + ID_BYTES + MAP_ENTRY_BYTES

const idWord = (id: StreamId, at: number): number =>
  ((id.charCodeAt(at) << 24) | (id.charCodeAt(at + 1) << 16) | (id.charCodeAt(at + 2) << 8) | id.charCodeAt(at + 3)) >>> 0

/** The last ID `compareAt` compared with, as words. */
let targetId = ""
const targetWords = new Uint32Array(4)
/** An entry's ID words, as `load` leaves them. */
const entryWords = new Uint32Array(4)

const TWO_32 = 4294967296

/** A 64-bit part given as two 32-bit words, in decimal (plain numbers below 2^53). */
const partText = (hi: number, lo: number): string =>
  hi < 0x200000 ? decimalText(hi * TWO_32 + lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString()

const wordChars = (word: number): string =>
  String.fromCharCode(word >>> 24, (word >>> 16) & 255, (word >>> 8) & 255, word & 255)

/** Where `readLength` stopped. */
let cursor = 0

/** A varint (7 bits a byte, low first) at `at`; `cursor` is left after it. */
const readLength = (data: Buffer, at: number): number => {
  let byte = data[at++]
  let value = byte & 127
  let shift = 7
  while (byte > 127) {
    byte = data[at++]
    value += (byte & 127) * 2 ** shift
    shift += 7
  }
  cursor = at
  return value
}

const lengthBytes = (value: number): number => (value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : value < 268435456 ? 4 : 5)

const writeLength = (data: Buffer, at: number, value: number): number => {
  while (value > 127) {
    data[at++] = (value & 127) | 128
    value = Math.floor(value / 128)
  }
  data[at++] = value
  return at
}

/** Strings shorter than this are copied with a loop: a native latin1Write call costs more. */
const SHORT_TEXT = 24

/**
 * Sealed nodes are carved out of shared slabs: an ArrayBuffer of its own costs a node a heap
 * object, a backing-store record and a malloc block (~300 bytes, more than a node's 100 IDs).
 * A slab is freed by the garbage collector once no node in it is left (trimmed or copied); it
 * is small (a few dozen nodes) so that a few surviving nodes cannot pin much.
 */
const SLAB_BYTES = 32 * 1024
let slab = new ArrayBuffer(0)
let slabUsed = 0

/** `size` bytes (a multiple of 4) at a 4-byte-aligned offset of a slab: [buffer, offset]. */
const slabRoom = (size: number): [ArrayBuffer, number] => {
  if (size > SLAB_BYTES / 4) return [new ArrayBuffer(size), 0]
  if (slabUsed + size > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES)
    slabUsed = 0
  }
  const at = slabUsed
  slabUsed += size
  return [slab, at]
}

/** Stride-1 words pack an ID as (ms - base) * 2^16 + seq, both below 2^16. */
const PACKED_LIMIT = 65536

/**
 * One node: its live entries' IDs in a typed array — binary searches read them without building
 * strings — as two 32-bit words each (ms minus the node's base ms, seq) while every ID fits that
 * (ms within 2^32 of the first entry's, seq below 2^32: always for `*` IDs), else as four (ms
 * high, ms low, seq high, seq low); a sealed node whose IDs all fit 16 bits each packs them in
 * one word (`*` IDs of a node rarely span a minute); and their fields and
 * values packed in one byte buffer, as Redis packs a node in a listpack. The node's master fields
 * are the field names of the first entry appended to it; an entry with the same names stores a
 * 0 byte and its values only, any other its pair count + 1 and all its names and values. Each
 * string is a varint length and its bytes (the strings are byte strings: char codes below 256).
 * `starts[i]` is where entry i begins; a deleted entry's bytes are cut out (its slot stays
 * counted in `slots`, as Redis keeps a deleted entry in its node).
 *
 * A block belongs to the stream whose `owner` token it carries; a clone shares all blocks and
 * gives both streams new tokens, so either copies a block before its first change to it.
 */
export class StreamBlock {
  /** Entries appended to the block, deleted ones included (Redis's count + deleted). */
  slots = 0
  /**
   * Bytes of Redis's listpack for this node but its master entry's two counts (live and deleted
   * entries), which `listpackBytes` adds: Redis keeps a deleted entry's bytes in its node.
   */
  bytes = 0
  /** Deleted entries still in the node as Redis keeps them (in deletion order), if any. */
  tombstones: Array<Tombstone> | undefined = undefined
  /** Whether the last entry pushed had the master fields (Redis's SAMEFIELDS flag). */
  lastSame = true
  /** The ID of the first entry appended (Redis's master ID, the node's key). */
  readonly masterId: StreamId
  /** Live entries. */
  length = 0
  /** Words an ID takes in `words`: 1 or 2 (relative to `baseHi`/`baseLo`) or 4. */
  stride = 2
  baseHi = 0
  baseLo = 0
  words: Uint32Array
  /** Entry offsets in `data`; 16-bit once sealed when the data allows. */
  starts: Uint32Array | Uint16Array
  data: Buffer
  /** Field names of the first entry appended (Redis's master entry); set by the first push. */
  masterFields: Array<string> | undefined = undefined
  /** The owning stream's token (see the class comment). */
  owner: object | undefined = undefined
  /** Whether the arrays are exact-size slab views (`seal`). */
  private sealed = false

  constructor(
    /** The ID of the last entry appended (deleted or not): Redis's last listpack entry. */
    public lastSlotId: StreamId,
    capacity = 8,
    /** Growable arrays a sealed predecessor no longer needs (`seal`'s result), reused. */
    spare?: SpareArrays
  ) {
    this.masterId = lastSlotId
    if (spare !== undefined) {
      this.words = spare.words
      this.starts = spare.starts
      this.data = spare.data
    } else {
      this.words = new Uint32Array(2 * capacity)
      this.starts = new Uint32Array(capacity + 1)
      this.data = Buffer.allocUnsafeSlow(16 * capacity)
    }
  }

  /** The exact size of Redis's listpack for this node. */
  listpackBytes(): number {
    return this.bytes + intElementBytes(this.length) + intElementBytes(this.slots - this.length)
  }

  /** Entry i's four ID words into `entryWords`. */
  private load(i: number): Uint32Array {
    const w = this.words
    const out = entryWords
    if (this.stride !== 4) {
      let delta: number
      let seq: number
      if (this.stride === 2) {
        delta = w[2 * i]
        seq = w[2 * i + 1]
      } else {
        delta = w[i] >>> 16
        seq = w[i] & 0xffff
      }
      const lo = this.baseLo + delta
      const carry = lo >= TWO_32 ? 1 : 0
      out[0] = this.baseHi + carry
      out[1] = lo - carry * TWO_32
      out[2] = 0
      out[3] = seq
    } else {
      const at = 4 * i
      out[0] = w[at]
      out[1] = w[at + 1]
      out[2] = w[at + 2]
      out[3] = w[at + 3]
    }
    return out
  }

  idAt(i: number): StreamId {
    const w = this.load(i)
    return wordChars(w[0]) + wordChars(w[1]) + wordChars(w[2]) + wordChars(w[3])
  }

  /** Entry i's ID as Redis prints it (`ms-seq`), straight from its words. */
  idTextAt(i: number): string {
    const w = this.load(i)
    return msText(w[0], w[1]) + "-" + (w[2] === 0 && w[3] < 100000000 ? String(w[3]) : partText(w[2], w[3]))
  }

  /** Entry i's fields and values, decoded. */
  fieldsAt(i: number): Array<string> {
    const data = this.data
    const head = readLength(data, this.starts[i])
    let at = cursor
    const out: Array<string> = []
    if (head === 0) {
      const master = this.masterFields!
      for (let k = 0; k < master.length; k++) {
        const length = readLength(data, at)
        out.push(master[k], byteString(data, cursor, length))
        at = cursor + length
      }
    } else {
      for (let k = 2 * (head - 1); k > 0; k--) {
        const length = readLength(data, at)
        out.push(byteString(data, cursor, length))
        at = cursor + length
      }
    }
    return out
  }

  /** Number of strings (fields and values) of entry i. */
  widthAt(i: number): number {
    const head = readLength(this.data, this.starts[i])
    return head === 0 ? 2 * this.masterFields!.length : 2 * (head - 1)
  }

  /** Entry i as Redis replies it (its ID, then its fields and values), from the packed bytes. */
  writeEntry(out: ReplyWriter, i: number): void {
    out.arrayHeader(2)
    out.bulk(this.idTextAt(i))
    const data = this.data
    const head = readLength(data, this.starts[i])
    let at = cursor
    if (head === 0) {
      const master = this.masterFields!
      out.arrayHeader(2 * master.length)
      for (let k = 0; k < master.length; k++) {
        out.bulk(master[k])
        const length = readLength(data, at)
        out.bulkSlice(data, cursor, length)
        at = cursor + length
      }
    } else {
      out.arrayHeader(2 * (head - 1))
      for (let k = 2 * (head - 1); k > 0; k--) {
        const length = readLength(data, at)
        out.bulkSlice(data, cursor, length)
        at = cursor + length
      }
    }
  }

  /** Packed bytes of entry i. */
  entryBytes(i: number): number {
    return this.starts[i + 1] - this.starts[i]
  }

  /** Sign of (entry i's ID - id). */
  compareAt(i: number, id: StreamId): number {
    // Searches and range walks compare with the same ID many times: its words are kept.
    if (id !== targetId) {
      targetId = id
      for (let k = 0; k < 4; k++) targetWords[k] = idWord(id, 4 * k)
    }
    const w = this.words
    if (this.stride !== 4) {
      let delta: number
      let seq: number
      if (this.stride === 2) {
        delta = w[2 * i]
        seq = w[2 * i + 1]
      } else {
        delta = w[i] >>> 16
        seq = w[i] & 0xffff
      }
      const lo = this.baseLo + delta
      const carry = lo >= TWO_32 ? 1 : 0
      const hi = this.baseHi + carry
      if (hi !== targetWords[0]) return hi < targetWords[0] ? -1 : 1
      const msLo = lo - carry * TWO_32
      if (msLo !== targetWords[1]) return msLo < targetWords[1] ? -1 : 1
      if (targetWords[2] !== 0) return -1
      return seq === targetWords[3] ? 0 : seq < targetWords[3] ? -1 : 1
    }
    const at = 4 * i
    for (let k = 0; k < 4; k++) {
      const a = w[at + k]
      const b = targetWords[k]
      if (a !== b) return a < b ? -1 : 1
    }
    return 0
  }

  /** Switches to four words an ID (an ID that does not fit two is coming). */
  private widen(): void {
    const n = this.length
    const words = new Uint32Array(4 * Math.max(n + 1, 4))
    for (let i = 0; i < n; i++) words.set(this.load(i), 4 * i)
    this.words = words
    this.stride = 4
  }

  /** Back from one packed word an ID to two (a sealed node appended to again). */
  private unpack(): void {
    const n = this.length
    const words = new Uint32Array(2 * Math.max(n + 1, 4))
    for (let i = 0; i < n; i++) {
      words[2 * i] = this.words[i] >>> 16
      words[2 * i + 1] = this.words[i] & 0xffff
    }
    this.words = words
    this.stride = 2
  }

  /** The position of the first entry at or after `id`. */
  indexOf(id: StreamId): number {
    let low = 0
    let high = this.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.compareAt(mid, id) < 0) low = mid + 1
      else high = mid
    }
    return low
  }

  /** Appends an entry; returns its packed bytes. */
  push(id: StreamId, fields: ReadonlyArray<string>): number {
    const n = this.length
    const msHi = idWord(id, 0)
    const msLo = idWord(id, 4)
    const seqHi = idWord(id, 8)
    const seqLo = idWord(id, 12)
    if (n === 0) {
      this.baseHi = msHi
      this.baseLo = msLo
    }
    const delta = (msHi - this.baseHi) * TWO_32 + msLo - this.baseLo
    if (this.stride === 1) this.unpack()
    // Appending to a sealed node replaces its exact-size arrays with growable ones (below).
    this.sealed = false
    if (this.stride === 2 && (seqHi !== 0 || delta < 0 || delta >= TWO_32)) this.widen()
    const stride = this.stride
    if (stride * (n + 1) > this.words.length) {
      const words = new Uint32Array(Math.max(4 * stride, this.words.length * 2))
      words.set(this.words)
      this.words = words
    }
    if (n + 2 > this.starts.length) {
      const starts = new Uint32Array(Math.max(8, this.starts.length * 2))
      starts.set(this.starts)
      this.starts = starts
    }
    const w = this.words
    if (stride === 2) {
      w[2 * n] = delta
      w[2 * n + 1] = seqLo
    } else {
      w[4 * n] = msHi
      w[4 * n + 1] = msLo
      w[4 * n + 2] = seqHi
      w[4 * n + 3] = seqLo
    }
    let master = this.masterFields
    if (master === undefined) {
      master = this.masterFields = []
      for (let k = 0; k < fields.length; k += 2) master.push(fields[k])
    }
    let same = fields.length === 2 * master.length
    for (let k = 0; same && k < master.length; k++) same = fields[2 * k] === master[k]
    this.lastSame = same
    const step = same ? 2 : 1
    let size = same ? 1 : lengthBytes(fields.length / 2 + 1)
    for (let k = same ? 1 : 0; k < fields.length; k += step) size += lengthBytes(fields[k].length) + fields[k].length
    const begin = this.starts[n]
    if (begin + size > this.data.length) {
      const data = Buffer.allocUnsafeSlow(Math.max(2 * this.data.length, begin + size))
      this.data.copy(data, 0, 0, begin)
      this.data = data
    }
    const data = this.data
    let end = writeLength(data, begin, same ? 0 : fields.length / 2 + 1)
    for (let k = same ? 1 : 0; k < fields.length; k += step) {
      const text = fields[k]
      const length = text.length
      end = writeLength(data, end, length)
      if (length < SHORT_TEXT) for (let c = 0; c < length; c++) data[end++] = text.charCodeAt(c)
      else end += data.latin1Write(text, end, length)
    }
    this.length = n + 1
    this.starts[n + 1] = end
    return size
  }

  /**
   * Removes `count` entries from position `at`, keeping each as a tombstone (what Redis keeps of
   * a deleted entry in its node, for the node's listpack in DUMP and RDB). Returns the tombstones'
   * estimated bytes.
   */
  remove(at: number, count: number): number {
    const tombstones = (this.tombstones ??= [])
    let added = 0
    for (let i = at; i < at + count; i++) {
      const tombstone: Tombstone = { id: this.idAt(i), fields: this.fieldsAt(i) }
      tombstones.push(tombstone)
      added += tombstoneMemory(tombstone)
    }
    const n = this.length
    const from = this.starts[at]
    const width = this.starts[at + count] - from
    this.data.copyWithin(from, from + width, this.starts[n])
    const stride = this.stride
    this.words.copyWithin(stride * at, stride * (at + count), stride * n)
    for (let i = at; i <= n - count; i++) this.starts[i] = this.starts[i + count] - width
    this.length = n - count
    return added
  }

  /**
   * Drops spare capacity (a node no longer appended to): its IDs (packed one word each when they
   * fit), starts (16-bit when they fit) and bytes move into one exact-size stretch of a slab.
   * Returns the growable arrays it held, for the next node to fill (no new allocations per node).
   */
  seal(): SpareArrays | undefined {
    const n = this.length
    if (n === 0 || this.sealed) return undefined
    const spare = this.starts instanceof Uint32Array ? { words: this.words, starts: this.starts, data: this.data } : undefined
    let stride = this.stride
    const source = this.words
    if (stride === 2) {
      let fits = true
      for (let k = 0; fits && k < 2 * n; k++) fits = source[k] < PACKED_LIMIT
      if (fits) stride = 1
    }
    const idBytes = 4 * stride * n
    const used = this.starts[n]
    const narrow = used < 65536
    const startBytes = (narrow ? 2 : 4) * (n + 1)
    const [buffer, at] = slabRoom((idBytes + startBytes + used + 3) & ~3)
    const words = new Uint32Array(buffer, at, stride * n)
    if (stride === 1 && this.stride === 2) {
      for (let i = 0; i < n; i++) words[i] = source[2 * i] * PACKED_LIMIT + source[2 * i + 1]
    } else words.set(source.subarray(0, stride * n))
    const starts = narrow ? new Uint16Array(buffer, at + idBytes, n + 1) : new Uint32Array(buffer, at + idBytes, n + 1)
    starts.set(this.starts.subarray(0, n + 1))
    const data = Buffer.from(buffer, at + idBytes + startBytes, used)
    this.data.copy(data, 0, 0, used)
    this.words = words
    this.starts = starts
    this.data = data
    this.stride = stride
    this.sealed = true
    return spare
  }

  /** A copy of this block owned by `owner`. */
  copy(owner: object): StreamBlock {
    const twin = new StreamBlock(this.masterId, 0)
    twin.lastSlotId = this.lastSlotId
    twin.stride = this.stride
    twin.baseHi = this.baseHi
    twin.baseLo = this.baseLo
    twin.words = this.words.slice()
    twin.starts = this.starts.slice()
    twin.data = Buffer.allocUnsafeSlow(this.data.length)
    this.data.copy(twin.data)
    twin.masterFields = this.masterFields
    twin.length = this.length
    twin.slots = this.slots
    twin.bytes = this.bytes
    twin.owner = owner
    twin.sealed = this.sealed
    twin.tombstones = this.tombstones?.slice()
    return twin
  }
}

/** A deleted entry a node still holds. */
export interface Tombstone {
  readonly id: StreamId
  readonly fields: ReadonlyArray<string>
}

const tombstoneMemory = (tombstone: Tombstone): number => {
  let bytes = 64 + ID_BYTES
  for (const text of tombstone.fields) bytes += stringBytes(text.length) + ARRAY_SLOT_BYTES
  return bytes
}

/** A node's growable arrays, handed from a node being sealed to the next one. */
export interface SpareArrays {
  readonly words: Uint32Array
  readonly starts: Uint32Array
  readonly data: Buffer
}

export interface Nack {
  consumer: Consumer
  /** Unix ms of the last delivery. */
  deliveryTime: number
  deliveryCount: number
}

export class Consumer {
  readonly pel = new SortedIds<Nack>()
  constructor(readonly name: string, public seenTime: number) {}
}

export class ConsumerGroup {
  readonly pel = new SortedIds<Nack>()
  readonly consumers = new Map<string, Consumer>()
  constructor(
    public lastId: StreamId,
    /** Entries read so far (Redis's entries_read), -1 when unknown. */
    public entriesRead: number
  ) {}

  /** The consumer named `name`, created (seen `now`) when missing; `created` says which. */
  consumer(name: string, now: number): Consumer {
    let found = this.consumers.get(name)
    if (found === undefined) this.consumers.set(name, found = new Consumer(name, now))
    return found
  }
}

export const INVALID_ENTRIES_READ = -1

export class StreamValue implements CollectionValue {
  readonly type = "stream" as const
  blocks: Array<StreamBlock> = []
  length = 0
  lastId: StreamId = ZERO_ID
  /** The first entry's ID as Redis records it (0-0 when empty). */
  firstId: StreamId = ZERO_ID
  maxDeletedId: StreamId = ZERO_ID
  entriesAdded = 0
  groups = new Map<string, ConsumerGroup>()
  private bytes = STREAM_BASE_BYTES
  /** This stream's token: blocks carrying another are shared with a clone (see StreamBlock). */
  private owner: object = {}

  constructor(
    readonly nodeMaxEntries = 100,
    readonly nodeMaxBytes = 4096
  ) {}

  encoding(): string {
    return "stream"
  }

  memoryUsage(): number {
    return Math.max(this.bytes, STREAM_BASE_BYTES)
  }

  /** Adds to the memory estimate (consumer groups' bookkeeping, which the commands change). */
  account(bytes: number): void {
    this.bytes += bytes
  }

  static readonly GROUP_BYTES = GROUP_BYTES
  static readonly CONSUMER_BYTES = CONSUMER_BYTES
  static readonly NACK_BYTES = NACK_BYTES

  clone(): StreamValue {
    const copy = new StreamValue(this.nodeMaxEntries, this.nodeMaxBytes)
    // Copy-on-write: both streams share the blocks and copy one before changing it.
    copy.blocks = this.blocks.slice()
    this.owner = {}
    copy.length = this.length
    copy.lastId = this.lastId
    copy.firstId = this.firstId
    copy.maxDeletedId = this.maxDeletedId
    copy.entriesAdded = this.entriesAdded
    copy.bytes = this.bytes
    for (const [name, group] of this.groups) {
      const twin = new ConsumerGroup(group.lastId, group.entriesRead)
      for (const [consumerName, consumer] of group.consumers) {
        const consumerTwin = new Consumer(consumerName, consumer.seenTime)
        twin.consumers.set(consumerName, consumerTwin)
        for (const [id, nack] of consumer.pel.entries()) {
          const nackTwin: Nack = { consumer: consumerTwin, deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount }
          consumerTwin.pel.insert(id, nackTwin)
          twin.pel.insert(id, nackTwin)
        }
      }
      copy.groups.set(name, twin)
    }
    return copy
  }

  /** Installs loaded nodes (an RDB file's); the counters are set by the loader. */
  restore(blocks: Array<StreamBlock>): void {
    this.blocks = blocks
    for (const block of blocks) {
      block.owner = this.owner
      block.seal()
      this.bytes += blockMemory(block)
    }
  }

  /** Block b, copied first when it is shared with a clone. */
  private ownBlock(b: number): StreamBlock {
    const block = this.blocks[b]
    if (block.owner === this.owner) return block
    return (this.blocks[b] = block.copy(this.owner))
  }

  /** Radix tree keys (XINFO): the number of nodes. */
  get nodeCount(): number {
    return this.blocks.length
  }

  /** Appends an entry whose ID is above `lastId`. */
  append(id: StreamId, fields: Array<string>): void {
    let block: StreamBlock | undefined = this.blocks[this.blocks.length - 1]
    let fieldBytes = 0
    for (let i = 0; i < fields.length; i++) fieldBytes += fields[i].length
    const maxBytes = this.nodeMaxBytes === 0 || this.nodeMaxBytes > 1 << 30 ? 1 << 30 : this.nodeMaxBytes
    // Redis's streamAppendItem: a new node once the listpack plus the new strings reach the byte
    // limit, or the node holds max-entries entries (deleted ones counted).
    if (block !== undefined && (block.listpackBytes() + fieldBytes >= maxBytes || (this.nodeMaxEntries !== 0 && block.slots >= this.nodeMaxEntries))) {
      block = undefined
    }
    if (block === undefined) {
      const previous = this.blocks.length > 0 ? this.ownBlock(this.blocks.length - 1) : undefined
      block = new StreamBlock(id, 8, previous?.seal())
      block.owner = this.owner
      // Nodes with the same master fields share one array of names (it is never changed).
      const names = previous?.masterFields
      if (names !== undefined && 2 * names.length === fields.length && names.every((name, k) => fields[2 * k] === name)) {
        block.masterFields = names
      }
      // The master entry: the listpack's header and terminator, the field count, the names, a 0.
      block.bytes = 7 + intElementBytes(fields.length / 2) + 2
      for (let i = 0; i < fields.length; i += 2) block.bytes += stringElementBytes(fields[i])
      this.blocks.push(block)
      this.bytes += BLOCK_BYTES
      for (let i = 0; i < fields.length; i += 2) this.bytes += stringBytes(fields[i].length) + ARRAY_SLOT_BYTES
    } else block = this.ownBlock(this.blocks.length - 1)
    this.bytes += ENTRY_BYTES + block.push(id, fields)
    block.bytes += entryListpackBytes(block, id, fields)
    block.slots++
    block.lastSlotId = id
    if (this.length === 0) this.firstId = id
    this.length++
    this.lastId = id
    this.entriesAdded++
  }

  /** The block holding `id` or the first one after it: [block index, index in block]. */
  locate(id: StreamId): [number, number] {
    const blocks = this.blocks
    let low = 0
    let high = blocks.length
    while (low < high) {
      const mid = (low + high) >>> 1
      const block = blocks[mid]
      if (block.compareAt(block.length - 1, id) < 0) low = mid + 1
      else high = mid
    }
    if (low === blocks.length) return [low, 0]
    return [low, blocks[low].indexOf(id)]
  }

  /** The fields of entry `id`, if it exists. */
  get(id: StreamId): Array<string> | undefined {
    const [b, i] = this.locate(id)
    const block = this.blocks[b]
    return block !== undefined && block.compareAt(i, id) === 0 ? block.fieldsAt(i) : undefined
  }

  /** Whether entry `id` exists. */
  has(id: StreamId): boolean {
    const [b, i] = this.locate(id)
    const block = this.blocks[b]
    return block !== undefined && block.compareAt(i, id) === 0
  }

  /**
   * Visits entries from `start` to `end` (inclusive), backwards when `reverse`, until `visit`
   * returns false.
   */
  range(start: StreamId, end: StreamId, reverse: boolean, visit: (id: StreamId, fields: Array<string>) => boolean): void {
    this.rangeRefs(start, end, reverse, (block, i) => visit(block.idAt(i), block.fieldsAt(i)))
  }

  /**
   * `range` without building IDs and field arrays: visits (block, index) pairs, for replies that
   * write entries straight from the blocks.
   */
  rangeRefs(start: StreamId, end: StreamId, reverse: boolean, visit: (block: StreamBlock, i: number) => boolean): void {
    if (start > end) return
    const blocks = this.blocks
    if (!reverse) {
      let [b, i] = this.locate(start)
      for (; b < blocks.length; b++, i = 0) {
        const block = blocks[b]
        for (; i < block.length; i++) {
          if (block.compareAt(i, end) > 0) return
          if (!visit(block, i)) return
        }
      }
      return
    }
    let [b, i] = this.locate(end)
    if (b < blocks.length && blocks[b].compareAt(i, end) !== 0) i--
    if (b === blocks.length) {
      b--
      if (b < 0) return
      i = blocks[b].length - 1
    }
    for (; b >= 0; b--, i = b >= 0 ? blocks[b].length - 1 : 0) {
      const block = blocks[b]
      for (; i >= 0; i--) {
        if (block.compareAt(i, start) < 0) return
        if (!visit(block, i)) return
      }
    }
  }

  /** The first (or last) live entry's ID, if any. */
  edgeId(first: boolean): StreamId | undefined {
    if (this.length === 0) return undefined
    const blocks = this.blocks
    if (first) return blocks[0].idAt(0)
    const block = blocks[blocks.length - 1]
    return block.idAt(block.length - 1)
  }

  /** XDEL of one entry; true when it existed. */
  delete(id: StreamId): boolean {
    const [b, i] = this.locate(id)
    if (b === this.blocks.length || this.blocks[b].compareAt(i, id) !== 0) return false
    if (this.blocks[b].length === 1) {
      this.bytes -= blockMemory(this.blocks[b])
      this.blocks.splice(b, 1)
    } else {
      const block = this.ownBlock(b)
      this.bytes -= ENTRY_BYTES + block.entryBytes(i)
      this.bytes += block.remove(i, 1)
    }
    this.length--
    if (id > this.maxDeletedId) this.maxDeletedId = id
    if (id === this.firstId) this.firstId = this.edgeId(true) ?? ZERO_ID
    return true
  }

  /**
   * Redis's streamTrim: drops whole nodes from the head while they are all below the threshold
   * (`maxLen` entries kept, or IDs below `minId`); exact trimming (`approx` false) then deletes
   * single entries of the next node. `limit` (approx only, 0 for none) bounds the entries removed.
   * Returns how many were (or, without `apply`, would be) removed.
   */
  trim(maxLen: number | undefined, minId: StreamId | undefined, approx: boolean, limit: number, apply = true): number {
    let removed = 0
    let length = this.length
    const blocks = this.blocks
    let dropBlocks = 0
    let cut = 0
    while (dropBlocks < blocks.length) {
      if (maxLen !== undefined && length <= maxLen) break
      const block = blocks[dropBlocks]
      const entries = block.length
      if (limit !== 0 && removed + entries > limit) break
      const removeNode = maxLen !== undefined ? length - entries >= maxLen : block.lastSlotId < minId!
      if (removeNode) {
        length -= entries
        removed += entries
        dropBlocks++
        continue
      }
      if (approx) break
      while (cut < entries) {
        if (maxLen !== undefined ? length <= maxLen : block.compareAt(cut, minId!) >= 0) break
        length--
        removed++
        cut++
      }
      break
    }
    if (!apply || removed === 0) return removed
    for (let b = 0; b < dropBlocks; b++) this.bytes -= blockMemory(blocks[b])
    if (dropBlocks > 0) blocks.splice(0, dropBlocks)
    if (cut > 0) {
      const block = this.ownBlock(0)
      this.bytes -= ENTRY_BYTES * cut + block.starts[cut] - block.starts[0]
      this.bytes += block.remove(0, cut)
    }
    this.length = length
    this.firstId = this.edgeId(true) ?? ZERO_ID
    return removed
  }


  /**
   * Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read counter of `id`, or
   * `INVALID_ENTRIES_READ` when deletions make it unknowable.
   */
  estimateDistance(id: StreamId): number {
    if (this.entriesAdded === 0) return 0
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded
    if (id === this.lastId) return this.entriesAdded
    if (id > this.lastId) return INVALID_ENTRIES_READ
    if (this.maxDeletedId === ZERO_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length
      if (id === this.firstId) return this.entriesAdded - this.length + 1
    }
    return INVALID_ENTRIES_READ
  }

  /** Redis's streamRangeHasTombstones from `start` to the end. */
  hasTombstonesFrom(start: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === ZERO_ID) return false
    if (this.firstId > this.maxDeletedId) return false
    return start <= this.maxDeletedId
  }

  /** A group's lag as XINFO reports it, undefined when unknown (Redis's streamReplyWithCGLag). */
  lagOf(group: ConsumerGroup): number | undefined {
    if (this.entriesAdded === 0) return 0
    if (group.entriesRead !== INVALID_ENTRIES_READ && !this.hasTombstonesFrom(group.lastId)) {
      return this.entriesAdded - group.entriesRead
    }
    const read = this.estimateDistance(group.lastId)
    return read === INVALID_ENTRIES_READ ? undefined : this.entriesAdded - read
  }
}

/**
 * Bytes of entry `id` in node `block`'s listpack (pushed last): flags, the ID as differences from
 * the master ID, the field count and names unless they are the master's, the values, the count
 * of the entry's elements.
 */
const entryListpackBytes = (block: StreamBlock, id: StreamId, fields: ReadonlyArray<string>): number => {
  const master = block.masterId
  const pairs = fields.length / 2
  let bytes = 2 +
    deltaElementBytes(idWord(id, 0), idWord(id, 4), idWord(master, 0), idWord(master, 4)) +
    deltaElementBytes(idWord(id, 8), idWord(id, 12), idWord(master, 8), idWord(master, 12))
  if (block.lastSame) {
    for (let i = 1; i < fields.length; i += 2) bytes += stringElementBytes(fields[i])
    return bytes + intElementBytes(pairs + 3)
  }
  bytes += intElementBytes(pairs)
  for (let i = 0; i < fields.length; i++) bytes += stringElementBytes(fields[i])
  return bytes + intElementBytes(2 * pairs + 4)
}

/** Estimated bytes of a block: its arrays, its master field names, its entries. */
const blockMemory = (block: StreamBlock): number => {
  let bytes = BLOCK_BYTES + ENTRY_BYTES * block.length + block.starts[block.length] - block.starts[0]
  for (const field of block.masterFields ?? []) bytes += stringBytes(field.length) + ARRAY_SLOT_BYTES
  for (const tombstone of block.tombstones ?? []) bytes += tombstoneMemory(tombstone)
  return bytes
}
