/**
 * A stream: entries (an ID and a flat field/value array) in ID order, plus consumer groups.
 *
 * Entries live in blocks that mirror Redis's radix tree of listpack nodes: a new block starts when
 * the last one has `nodeMaxEntries` slots (live plus deleted entries, as Redis counts them) or its
 * estimated listpack bytes reach `nodeMaxBytes`. Keeping Redis's node boundaries is what makes
 * `MAXLEN ~` / `MINID ~` (which only drop whole nodes) and XINFO's radix-tree-keys agree with Redis.
 * A block holds its IDs and entries in two arrays; an XDEL splices them but keeps the slot counted,
 * as Redis keeps a deleted entry in its node. Appends are pushes onto the last block; lookups are a
 * binary search over blocks (by their last ID) and then inside one. With 100-entry blocks a
 * million-entry stream has 10 000 blocks: a search is ~14 + 7 string compares.
 *
 * IDs are 16-byte strings (StreamId.ts). Entries with the same field names as the previous one
 * share its name strings, as Redis's master entry shares them.
 */
import type { CollectionValue } from "../Value.js"
import { ARRAY_SLOT_BYTES, MAP_ENTRY_BYTES, stringBytes } from "./memoryEstimate.js"
import { SortedIds } from "./SortedIds.js"
import { type StreamId, ZERO_ID } from "./StreamId.js"

const STREAM_BASE_BYTES = 300
const BLOCK_BYTES = 120
const ID_BYTES = stringBytes(16) + ARRAY_SLOT_BYTES
/** An entry's four ID words and its start offset. */
const ENTRY_BYTES = 16 + 4
const GROUP_BYTES = 400
const CONSUMER_BYTES = 250
const NACK_BYTES = 80 + ID_BYTES + MAP_ENTRY_BYTES

/** Bytes a listpack element takes for `text` (integers are stored as such), with its back length. */
const listpackElementBytes = (text: string): number => {
  let encoded: number
  const length = text.length
  if (length > 0 && length <= 20 && /^-?(0|[1-9][0-9]*)$/.test(text)) {
    const value = Number(text)
    const abs = Math.abs(value)
    encoded = value >= 0 && value <= 127 ? 1 : abs < 4096 ? 2 : abs < 32768 ? 3 : abs < 8388608 ? 4 : abs < 2147483648 ? 5 : 9
  } else encoded = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length
  return encoded + (encoded <= 127 ? 1 : encoded < 16383 ? 2 : 3)
}

const idWord = (id: StreamId, at: number): number =>
  ((id.charCodeAt(at) << 24) | (id.charCodeAt(at + 1) << 16) | (id.charCodeAt(at + 2) << 8) | id.charCodeAt(at + 3)) >>> 0

/** The last ID `compareAt` compared with, as words. */
let targetId = ""
const targetWords = new Uint32Array(4)

const TWO_32 = 4294967296

/** A 64-bit part given as two 32-bit words, in decimal (plain numbers below 2^53). */
const partText = (hi: number, lo: number): string =>
  hi < 0x200000 ? String(hi * TWO_32 + lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString()

const wordChars = (word: number): string =>
  String.fromCharCode(word >>> 24, (word >>> 16) & 255, (word >>> 8) & 255, word & 255)

/**
 * One node: its live entries' IDs as four 32-bit words each (ms high, ms low, seq high, seq low)
 * in a typed array, and their fields and values in one flat array with each entry's start —
 * about 60 bytes an entry besides its value strings, where an ID string and an array per entry
 * took 130.
 */
export class StreamBlock {
  /** Entries appended to the block, deleted ones included (Redis's count + deleted). */
  slots = 0
  /** Estimated bytes of Redis's listpack for this node. */
  bytes = 0
  /** Live entries. */
  length = 0
  words: Uint32Array
  /** Where each entry's fields begin in `values`; starts[length] is the end. */
  starts: Uint32Array
  values: Array<string>

  constructor(
    /** The ID of the last entry appended (deleted or not): Redis's last listpack entry. */
    public lastSlotId: StreamId,
    capacity = 8
  ) {
    this.words = new Uint32Array(4 * capacity)
    this.starts = new Uint32Array(capacity + 1)
    this.values = []
  }

  idAt(i: number): StreamId {
    const w = this.words
    const at = 4 * i
    return wordChars(w[at]) + wordChars(w[at + 1]) + wordChars(w[at + 2]) + wordChars(w[at + 3])
  }

  /** Entry i's ID as Redis prints it (`ms-seq`), straight from its words. */
  idTextAt(i: number): string {
    const w = this.words
    const at = 4 * i
    return partText(w[at], w[at + 1]) + "-" + partText(w[at + 2], w[at + 3])
  }

  fieldsAt(i: number): Array<string> {
    return this.values.slice(this.starts[i], this.starts[i + 1])
  }

  /** Number of strings (fields and values) of entry i. */
  widthAt(i: number): number {
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
    const at = 4 * i
    for (let k = 0; k < 4; k++) {
      const a = w[at + k]
      const b = targetWords[k]
      if (a !== b) return a < b ? -1 : 1
    }
    return 0
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

  push(id: StreamId, fields: ReadonlyArray<string>): void {
    const n = this.length
    if (4 * (n + 1) > this.words.length) {
      const words = new Uint32Array(this.words.length * 2)
      words.set(this.words)
      this.words = words
      const starts = new Uint32Array(this.starts.length * 2)
      starts.set(this.starts)
      this.starts = starts
    }
    const at = 4 * n
    for (let k = 0; k < 4; k++) this.words[at + k] = idWord(id, 4 * k)
    const values = this.values
    for (let i = 0; i < fields.length; i++) values.push(fields[i])
    this.length = n + 1
    this.starts[n + 1] = values.length
  }

  /** Removes `count` entries from position `at`. */
  remove(at: number, count: number): void {
    const n = this.length
    const from = this.starts[at]
    const width = this.starts[at + count] - from
    this.values.splice(from, width)
    this.words.copyWithin(4 * at, 4 * (at + count), 4 * n)
    for (let i = at; i <= n - count; i++) this.starts[i] = this.starts[i + count] - width
    this.length = n - count
  }

  clone(): StreamBlock {
    const twin = new StreamBlock(this.lastSlotId, 1)
    twin.words = this.words.slice()
    twin.starts = this.starts.slice()
    twin.values = this.values.slice()
    twin.length = this.length
    twin.slots = this.slots
    twin.bytes = this.bytes
    return twin
  }
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
    copy.blocks = this.blocks.map((block) => block.clone())
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
      this.bytes += BLOCK_BYTES
      for (let i = 0; i < block.length; i++) this.bytes += blockEntryMemory(block, i)
    }
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
    if (block !== undefined && (block.bytes + fieldBytes >= maxBytes || (this.nodeMaxEntries !== 0 && block.slots >= this.nodeMaxEntries))) {
      block = undefined
    }
    if (block === undefined) {
      block = new StreamBlock(id)
      // The master entry: counts, the field names, a terminator.
      block.bytes = 7 + 2 * 3 + 2
      for (let i = 0; i < fields.length; i += 2) block.bytes += listpackElementBytes(fields[i])
      this.blocks.push(block)
      this.bytes += BLOCK_BYTES
    } else if (block.length > 0 && block.widthAt(block.length - 1) === fields.length) {
      // Same field names as the previous entry: share its strings.
      const values = block.values
      const previous = block.starts[block.length - 1]
      let same = true
      for (let i = 0; i < fields.length && same; i += 2) same = values[previous + i] === fields[i]
      if (same) for (let i = 0; i < fields.length; i += 2) fields[i] = values[previous + i]
    }
    let entryBytes = 2 + 2 + 2 + 2
    for (let i = 1; i < fields.length; i += 2) entryBytes += listpackElementBytes(fields[i])
    block.bytes += entryBytes
    block.push(id, fields)
    block.slots++
    block.lastSlotId = id
    if (this.length === 0) this.firstId = id
    this.length++
    this.lastId = id
    this.entriesAdded++
    this.bytes += blockEntryMemory(block, block.length - 1)
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
    const block = this.blocks[b]
    if (block === undefined || block.compareAt(i, id) !== 0) return false
    this.bytes -= blockEntryMemory(block, i)
    block.remove(i, 1)
    if (block.length === 0) {
      this.blocks.splice(b, 1)
      this.bytes -= BLOCK_BYTES
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
    for (let b = 0; b < dropBlocks; b++) {
      const block = blocks[b]
      for (let i = 0; i < block.length; i++) this.bytes -= blockEntryMemory(block, i)
      this.bytes -= BLOCK_BYTES
    }
    if (dropBlocks > 0) blocks.splice(0, dropBlocks)
    if (cut > 0) {
      const block = blocks[0]
      for (let i = 0; i < cut; i++) this.bytes -= blockEntryMemory(block, i)
      block.remove(0, cut)
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
 * Bytes of entry i of a block: its ID words and start, its slots in the flat array, its values,
 * and its field names unless they are the previous entry's (shared strings, see `append`).
 * Deleting from the middle can change which entry a name is counted for: the estimate may drift
 * by a few names, never by entries.
 */
const blockEntryMemory = (block: StreamBlock, i: number): number => {
  const values = block.values
  const start = block.starts[i]
  const end = block.starts[i + 1]
  const previous = i > 0 ? block.starts[i - 1] : -1
  const shared = previous !== -1 && start - previous === end - start
  let bytes = ENTRY_BYTES + ARRAY_SLOT_BYTES * (end - start)
  for (let at = start; at < end; at += 2) {
    if (!shared || values[at] !== values[previous + at - start]) bytes += stringBytes(values[at].length)
    bytes += stringBytes(values[at + 1].length)
  }
  return bytes
}
