/** Hashes in RDB files (plain hashes; Redis 7's listpacks and Redis 6's ziplists read too) and in rewritten AOFs (HSET). */
import { HashValue } from "../../keyspace/values/HashValue.js"
import { listpackElements, ziplistElements } from "../rdb/CompactEncodings.js"
import { TYPE_HASH } from "../rdb/RdbFormat.js"
import { batched, registerCodec } from "../ValueCodecs.js"

const TYPE_HASH_ZIPLIST = 13
const TYPE_HASH_LISTPACK = 16

registerCodec({
  type: "hash",
  rdbTypes: [TYPE_HASH, TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK],
  rdbType: () => TYPE_HASH,
  write: (value, out) => {
    const hash = value as HashValue
    out.lengthField(hash.size)
    for (const [field, fieldValue] of hash.fields) {
      out.string(field)
      out.string(fieldValue)
    }
  },
  read: (rdbType, reader, config) => {
    const fields = new Map<string, string>()
    if (rdbType === TYPE_HASH) {
      const count = reader.length()
      for (let i = 0; i < count; i++) {
        const field = reader.string()
        if (fields.has(field)) reader.fail("duplicate hash fields")
        fields.set(field, reader.string())
      }
    } else {
      const blob = Buffer.from(reader.string(), "latin1")
      const elements = rdbType === TYPE_HASH_ZIPLIST ? ziplistElements(blob) : listpackElements(blob)
      for (let i = 0; i + 1 < elements.length; i += 2) fields.set(elements[i], elements[i + 1])
    }
    if (fields.size === 0) reader.fail("an empty hash")
    // Loaded as Redis 7.0 loads one: a plain hash becomes a listpack within both thresholds; a
    // listpack or ziplist stays one unless it has too many entries (its values are not measured).
    const hash = new HashValue(fields)
    hash.listpack = fields.size <= config.hashMaxListpackEntries && (rdbType !== TYPE_HASH ||
      [...fields].every(([field, text]) => field.length <= config.hashMaxListpackValue && text.length <= config.hashMaxListpackValue))
    return hash
  },
  rewrite: (key, value) =>
    batched(["HSET", key], (value as HashValue).fields, ([field, text], into) => {
      into.push(field, text)
    })
})
