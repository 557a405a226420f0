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

export class StreamBlock {
  /** Entries appended to the block, deleted ones included (Redis's count + deleted). */
  slots = 0
  /** Estimated bytes of Redis's listpack for this node. */
  bytes = 0
  constructor(
    readonly ids: Array<StreamId>,
    readonly entries: Array<Array<string>>,
    /** The ID of the last entry appended (deleted or not): Redis's last listpack entry. */
    public lastSlotId: StreamId
  ) {}

  indexOf(id: StreamId): number {
    const ids = this.ids
    let low = 0
    let high = ids.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (ids[mid] < id) low = mid + 1
      else high = mid
    }
    return low
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
    return this.bytes
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
    copy.blocks = this.blocks.map((block) => {
      const twin = new StreamBlock(block.ids.slice(), block.entries.slice(), block.lastSlotId)
      twin.slots = block.slots
      twin.bytes = block.bytes
      return twin
    })
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
      for (const fields of block.entries) this.bytes += entryMemory(fields)
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
      block = new StreamBlock([], [], id)
      // The master entry: counts, the field names, a terminator.
      block.bytes = 7 + 2 * 3 + 2
      for (let i = 0; i < fields.length; i += 2) block.bytes += listpackElementBytes(fields[i])
      this.blocks.push(block)
      this.bytes += BLOCK_BYTES
    } else {
      // Same field names as the previous entry: share its strings.
      const previous = block.entries[block.entries.length - 1]
      if (previous !== undefined && previous.length === fields.length) {
        let same = true
        for (let i = 0; i < fields.length && same; i += 2) same = previous[i] === fields[i]
        if (same) for (let i = 0; i < fields.length; i += 2) fields[i] = previous[i]
      }
    }
    let entryBytes = 2 + 2 + 2 + 2
    for (let i = 1; i < fields.length; i += 2) entryBytes += listpackElementBytes(fields[i])
    block.bytes += entryBytes
    block.ids.push(id)
    block.entries.push(fields)
    block.slots++
    block.lastSlotId = id
    if (this.length === 0) this.firstId = id
    this.length++
    this.lastId = id
    this.entriesAdded++
    this.bytes += entryMemory(fields)
  }

  /** The block holding `id` or the first one after it: [block index, index in block]. */
  locate(id: StreamId): [number, number] {
    const blocks = this.blocks
    let low = 0
    let high = blocks.length
    while (low < high) {
      const mid = (low + high) >>> 1
      const ids = blocks[mid].ids
      if (ids[ids.length - 1] < id) low = mid + 1
      else high = mid
    }
    if (low === blocks.length) return [low, 0]
    return [low, blocks[low].indexOf(id)]
  }

  /** The fields of entry `id`, if it exists. */
  get(id: StreamId): Array<string> | undefined {
    const [b, i] = this.locate(id)
    const block = this.blocks[b]
    return block !== undefined && block.ids[i] === id ? block.entries[i] : undefined
  }

  /**
   * Visits entries from `start` to `end` (inclusive), backwards when `reverse`, until `visit`
   * returns false.
   */
  range(start: StreamId, end: StreamId, reverse: boolean, visit: (id: StreamId, fields: Array<string>) => boolean): void {
    if (start > end) return
    const blocks = this.blocks
    if (!reverse) {
      let [b, i] = this.locate(start)
      for (; b < blocks.length; b++, i = 0) {
        const { ids, entries } = blocks[b]
        for (; i < ids.length; i++) {
          if (ids[i] > end) return
          if (!visit(ids[i], entries[i])) return
        }
      }
      return
    }
    let [b, i] = this.locate(end)
    if (b < blocks.length && blocks[b].ids[i] !== end) i--
    if (b === blocks.length) {
      b--
      if (b < 0) return
      i = blocks[b].ids.length - 1
    }
    for (; b >= 0; b--, i = b >= 0 ? blocks[b].ids.length - 1 : 0) {
      const { ids, entries } = blocks[b]
      for (; i >= 0; i--) {
        if (ids[i] < start) return
        if (!visit(ids[i], entries[i])) return
      }
    }
  }

  /** The first (or last) live entry's ID, if any. */
  edgeId(first: boolean): StreamId | undefined {
    if (this.length === 0) return undefined
    const blocks = this.blocks
    if (first) return blocks[0].ids[0]
    const ids = blocks[blocks.length - 1].ids
    return ids[ids.length - 1]
  }

  /** XDEL of one entry; true when it existed. */
  delete(id: StreamId): boolean {
    const [b, i] = this.locate(id)
    const block = this.blocks[b]
    if (block === undefined || block.ids[i] !== id) return false
    this.bytes -= entryMemory(block.entries[i])
    block.ids.splice(i, 1)
    block.entries.splice(i, 1)
    if (block.ids.length === 0) {
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
   * Returns how many were removed.
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
      const entries = block.ids.length
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
        if (maxLen !== undefined ? length <= maxLen : block.ids[cut] >= minId!) break
        length--
        removed++
        cut++
      }
      break
    }
    if (!apply || removed === 0) return removed
    for (let b = 0; b < dropBlocks; b++) {
      for (const fields of blocks[b].entries) this.bytes -= entryMemory(fields)
      this.bytes -= BLOCK_BYTES
    }
    if (dropBlocks > 0) blocks.splice(0, dropBlocks)
    if (cut > 0) {
      const block = blocks[0]
      for (let i = 0; i < cut; i++) this.bytes -= entryMemory(block.entries[i])
      block.ids.splice(0, cut)
      block.entries.splice(0, cut)
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

const entryMemory = (fields: Array<string>): number => {
  let bytes = ID_BYTES + 16 + ARRAY_SLOT_BYTES * (fields.length + 1)
  for (let i = 0; i < fields.length; i++) bytes += stringBytes(fields[i].length)
  return bytes
}
