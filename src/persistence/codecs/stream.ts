/**
 * Streams in RDB files as Redis 7.0 writes them (RDB_TYPE_STREAM_LISTPACKS_2: one listpack per
 * node, keyed by its master ID, then the stream's counters and its consumer groups with their
 * PELs; Redis 5/6's RDB_TYPE_STREAM_LISTPACKS reads too), and in rewritten AOFs as Redis's
 * rewriteStreamObject spells them (XADD per entry, XSETID, XGROUP CREATE, XCLAIM per NACK,
 * XGROUP CREATECONSUMER for consumers without pending entries).
 *
 * A node's listpack: the master entry (live count, deleted count, the master field names, 0), then
 * per entry its flags, ID as a difference from the master ID, either the values alone (same
 * fields as the master) or the field count and pairs, and its element count.
 */
import { idText, makeId, msOf, seqOf, type StreamId, ZERO_ID } from "../../keyspace/values/StreamId.js"
import { Consumer, ConsumerGroup, type Nack, StreamBlock, StreamValue } from "../../keyspace/values/StreamValue.js"
import { listpackElements } from "../rdb/CompactEncodings.js"
import type { RdbReader, RdbWriter } from "../rdb/RdbFormat.js"
import { registerCodec } from "../ValueCodecs.js"
import { registerDumpWriter } from "../DumpPayload.js"
import { ListpackBuilder, writeEncodedBlob, writeEncodedString } from "../rdb/CompactWriters.js"
import { intElementBytes } from "../../keyspace/values/listpackSizes.js"
import type { RuntimeConfig } from "../../config/RuntimeConfig.js"

const TYPE_STREAM_LISTPACKS = 15
const TYPE_STREAM_LISTPACKS_2 = 19

const FLAG_DELETED = 1
const FLAG_SAME_FIELDS = 2

/**
 * One node as Redis's listpack: the master entry (Redis's: the node's first entry's ID and field
 * names, the live and deleted counts), then its entries in ID order, deleted ones (its
 * tombstones) flagged.
 */
const nodeListpack = (block: StreamBlock): Buffer => {
  const masterMs = msOf(block.masterId)
  const masterSeq = seqOf(block.masterId)
  const masterFields = block.masterFields ?? []
  const tombstones = (block.tombstones ?? []).slice().sort((a, b) => (a.id < b.id ? -1 : 1))
  const lp = new ListpackBuilder()
  lp.append(String(block.length))
  lp.append(String(tombstones.length))
  lp.append(String(masterFields.length))
  for (const field of masterFields) lp.append(field)
  lp.append("0")
  const entry = (id: StreamId, fields: ReadonlyArray<string>, deleted: boolean): void => {
    const pairs = fields.length / 2
    let same = pairs === masterFields.length
    for (let i = 0; same && i < pairs; i++) same = fields[2 * i] === masterFields[i]
    lp.append(String((same ? FLAG_SAME_FIELDS : 0) | (deleted ? FLAG_DELETED : 0)))
    lp.append(String(BigInt.asIntN(64, msOf(id) - masterMs)))
    lp.append(String(BigInt.asIntN(64, seqOf(id) - masterSeq)))
    if (same) {
      for (let i = 0; i < pairs; i++) lp.append(fields[2 * i + 1])
    } else {
      lp.append(String(pairs))
      for (const text of fields) lp.append(text)
    }
    lp.append(String(pairs + 3 + (same ? 0 : pairs + 1)))
  }
  let t = 0
  for (let e = 0; e < block.length; e++) {
    const id = block.idAt(e)
    for (; t < tombstones.length && tombstones[t].id < id; t++) entry(tombstones[t].id, tombstones[t].fields, true)
    entry(id, block.fieldsAt(e), false)
  }
  for (; t < tombstones.length; t++) entry(tombstones[t].id, tombstones[t].fields, true)
  return lp.finish()
}

// ---- RDB lengths of 64 bits ----

const writeLength64 = (out: RdbWriter, value: bigint): void => {
  if (value <= 0xffffffffn) return out.lengthField(Number(value))
  out.byte(0x81)
  for (let shift = 56n; shift >= 0n; shift -= 8n) out.byte(Number((value >> shift) & 0xffn))
}

const readLength64 = (reader: RdbReader): bigint => {
  const first = reader.byte()
  switch (first >> 6) {
    case 0:
      return BigInt(first & 0x3f)
    case 1:
      return BigInt(((first & 0x3f) << 8) | reader.byte())
    case 2:
      if (first === 0x80) return BigInt(reader.fixed(4).readUInt32BE(0))
      if (first === 0x81) return reader.fixed(8).readBigUInt64BE(0)
  }
  return reader.fail(`unknown length encoding 0x${first.toString(16)}`)
}

const writeId = (out: RdbWriter, id: StreamId): void => {
  writeLength64(out, msOf(id))
  writeLength64(out, seqOf(id))
}

const readId = (reader: RdbReader): StreamId => {
  const ms = readLength64(reader)
  return makeId(ms, readLength64(reader))
}

/** The 16 raw bytes of an ID in a PEL (big-endian ms and seq, as a rax key). */
const rawId = (id: StreamId): string => id

/**
 * The stream as Redis's rdbSaveObject writes it. `compress` (DUMP under rdbcompression): strings
 * as rdbSaveRawString stores them (integers, LZF); otherwise plain, which loads the same.
 */
const writeStream = (value: StreamValue, out: RdbWriter, compress = false): void => {
  const name = (text: string): void => (compress ? writeEncodedString(out, text, true) : out.string(text))
  out.lengthField(value.blocks.length)
  for (const block of value.blocks) {
    out.string(rawId(block.masterId))
    const lp = nodeListpack(block)
    if (compress) writeEncodedBlob(out, lp, true)
    else out.string(lp.latin1Slice())
  }
  out.lengthField(value.length)
  writeId(out, value.lastId)
  writeId(out, value.firstId)
  writeId(out, value.maxDeletedId)
  writeLength64(out, BigInt(value.entriesAdded))
  const names = [...value.groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  out.lengthField(names.length)
  for (const groupName of names) {
    const group = value.groups.get(groupName)!
    name(groupName)
    writeId(out, group.lastId)
    writeLength64(out, BigInt.asUintN(64, BigInt(group.entriesRead)))
    out.lengthField(group.pel.size)
    for (const [id, nack] of group.pel.entries()) {
      writeRaw(out, id)
      out.millis(nack.deliveryTime)
      out.lengthField(nack.deliveryCount)
    }
    const consumers = [...group.consumers.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    out.lengthField(consumers.length)
    for (const consumerName of consumers) {
      const consumer = group.consumers.get(consumerName)!
      name(consumerName)
      out.millis(consumer.seenTime)
      out.lengthField(consumer.pel.size)
      for (const [id] of consumer.pel.entries()) writeRaw(out, id)
    }
  }
}

const writeRaw = (out: RdbWriter, id: StreamId): void => {
  for (let i = 0; i < 16; i++) out.byte(id.charCodeAt(i))
}

const readRawId = (reader: RdbReader): StreamId => reader.fixed(16).latin1Slice()

/** A node's listpack into a block of its live entries. */
const readNode = (master: StreamId, blob: Buffer, reader: RdbReader): StreamBlock | undefined => {
  const el = listpackElements(blob)
  if (el.length === 0) return reader.fail("empty stream listpack")
  const masterMs = msOf(master)
  const masterSeq = seqOf(master)
  const live = Number(el[0])
  const deleted = Number(el[1])
  const masterCount = Number(el[2])
  const masterFields = el.slice(3, 3 + masterCount)
  let at = 3 + masterCount + 1
  const block = new StreamBlock(master)
  block.masterFields = masterFields
  while (at < el.length) {
    const flags = Number(el[at++])
    const id = makeId(BigInt.asUintN(64, masterMs + BigInt(el[at])), BigInt.asUintN(64, masterSeq + BigInt(el[at + 1])))
    at += 2
    let fields: Array<string>
    if ((flags & FLAG_SAME_FIELDS) !== 0) {
      fields = []
      for (let i = 0; i < masterCount; i++) fields.push(masterFields[i], el[at++])
    } else {
      const pairs = Number(el[at++])
      fields = el.slice(at, at + 2 * pairs)
      at += 2 * pairs
    }
    at++ // the entry's element count
    block.lastSlotId = id
    if ((flags & FLAG_DELETED) !== 0) (block.tombstones ??= []).push({ id, fields })
    else block.push(id, fields)
  }
  if (block.length !== live) return reader.fail("stream node entry count")
  block.slots = live + deleted
  block.bytes = blob.length - intElementBytes(live) - intElementBytes(deleted)
  return block.length === 0 ? undefined : block
}

const readStream = (rdbType: number, reader: RdbReader, config: RuntimeConfig): StreamValue => {
  const stream = new StreamValue(config.streamNodeMaxEntries, config.streamNodeMaxBytes)
  const nodes = reader.length()
  const blocks: Array<StreamBlock> = []
  for (let i = 0; i < nodes; i++) {
    const key = reader.string()
    if (key.length !== 16) reader.fail("stream node key")
    const block = readNode(key, Buffer.from(reader.string(), "latin1"), reader)
    if (block !== undefined) blocks.push(block)
  }
  stream.restore(blocks)
  stream.length = reader.length()
  stream.lastId = readId(reader)
  if (rdbType >= TYPE_STREAM_LISTPACKS_2) {
    stream.firstId = readId(reader)
    stream.maxDeletedId = readId(reader)
    stream.entriesAdded = Number(readLength64(reader))
  } else {
    stream.firstId = stream.edgeId(true) ?? ZERO_ID
    stream.entriesAdded = stream.length
  }
  const groups = reader.length()
  for (let g = 0; g < groups; g++) {
    const name = reader.string()
    const lastId = readId(reader)
    const entriesRead = rdbType >= TYPE_STREAM_LISTPACKS_2
      ? Number(BigInt.asIntN(64, readLength64(reader)))
      : stream.estimateDistance(lastId)
    const group = new ConsumerGroup(lastId, entriesRead)
    const nacks = new Map<StreamId, Nack>()
    const pending = reader.length()
    for (let i = 0; i < pending; i++) {
      const id = readRawId(reader)
      const deliveryTime = Number(reader.fixed(8).readBigInt64LE(0))
      const deliveryCount = reader.length()
      nacks.set(id, { consumer: undefined as unknown as Consumer, deliveryTime, deliveryCount })
    }
    const consumers = reader.length()
    for (let c = 0; c < consumers; c++) {
      const consumerName = reader.string()
      const consumer = new Consumer(consumerName, Number(reader.fixed(8).readBigInt64LE(0)))
      group.consumers.set(consumerName, consumer)
      const own = reader.length()
      for (let i = 0; i < own; i++) {
        const id = readRawId(reader)
        const nack = nacks.get(id)
        if (nack === undefined) reader.fail("consumer PEL entry missing from the group PEL")
        nack!.consumer = consumer
        consumer.pel.insert(id, nack!)
      }
    }
    for (const [id, nack] of nacks) {
      if (nack.consumer === undefined) reader.fail("group PEL entry without a consumer")
      group.pel.insert(id, nack)
    }
    stream.groups.set(name, group)
    stream.account(StreamValue.GROUP_BYTES + nacks.size * StreamValue.NACK_BYTES + consumers * StreamValue.CONSUMER_BYTES)
  }
  return stream
}

function* rewriteStream(key: string, stream: StreamValue): Iterable<Array<string>> {
  if (stream.length > 0) {
    for (const block of stream.blocks) {
      for (let i = 0; i < block.length; i++) yield ["XADD", key, idText(block.idAt(i)), ...block.fieldsAt(i)]
    }
  } else {
    // An empty stream: add and trim one entry, then XSETID puts the counters back.
    yield ["XADD", key, "MAXLEN", "0", "0-1", "x", "y"]
  }
  yield [
    "XSETID", key, idText(stream.lastId),
    "ENTRIESADDED", String(stream.entriesAdded),
    "MAXDELETEDID", idText(stream.maxDeletedId)
  ]
  for (const name of [...stream.groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const group = stream.groups.get(name)!
    yield ["XGROUP", "CREATE", key, name, idText(group.lastId), "ENTRIESREAD", String(group.entriesRead)]
    for (const [id, nack] of group.pel.entries()) {
      yield [
        "XCLAIM", key, name, nack.consumer.name, "0", idText(id),
        "TIME", String(nack.deliveryTime), "RETRYCOUNT", String(nack.deliveryCount), "JUSTID", "FORCE"
      ]
    }
    for (const consumer of group.consumers.values()) {
      if (consumer.pel.size === 0) yield ["XGROUP", "CREATECONSUMER", key, name, consumer.name]
    }
  }
}

registerDumpWriter("stream", (value, out, options) => {
  out.byte(TYPE_STREAM_LISTPACKS_2)
  writeStream(value as StreamValue, out, options.compress)
})

registerCodec({
  type: "stream",
  rdbTypes: [TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2],
  rdbType: () => TYPE_STREAM_LISTPACKS_2,
  write: (value, out) => writeStream(value as StreamValue, out),
  read: (rdbType, reader, config) => readStream(rdbType, reader, config),
  rewrite: (key, value) => rewriteStream(key, value as StreamValue)
})

