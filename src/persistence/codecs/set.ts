/**
 * Sets in RDB files (an intset as Redis saves one, others plain; Redis 7.2's listpack sets read
 * too) and in rewritten AOFs (SADD).
 */
import { SetValue } from "../../keyspace/values/SetValue.js"
import { intsetMembers, listpackElements } from "../rdb/CompactEncodings.js"
import { intsetOfValues, writeEncodedBlob } from "../rdb/CompactWriters.js"
import { TYPE_SET } from "../rdb/RdbFormat.js"
import { batched, registerCodec } from "../ValueCodecs.js"

const TYPE_SET_INTSET = 11
const TYPE_SET_LISTPACK = 20

registerCodec({
  type: "set",
  rdbTypes: [TYPE_SET, TYPE_SET_INTSET, TYPE_SET_LISTPACK],
  rdbType: (value) => ((value as SetValue).intset ? TYPE_SET_INTSET : TYPE_SET),
  write: (value, out) => {
    const set = value as SetValue
    if (set.intset) return writeEncodedBlob(out, intsetOfValues(set.integers()), false)
    const members = set.toArray()
    out.lengthField(members.length)
    for (const member of members) out.string(member)
  },
  read: (rdbType, reader, config) => {
    let members: Array<string>
    if (rdbType === TYPE_SET) {
      const count = reader.length()
      members = []
      for (let i = 0; i < count; i++) members.push(reader.string())
      if (new Set(members).size !== members.length) reader.fail("duplicate set members")
    } else {
      const blob = Buffer.from(reader.string(), "latin1")
      members = rdbType === TYPE_SET_INTSET ? intsetMembers(blob) : listpackElements(blob)
    }
    if (members.length === 0) reader.fail("an empty set")
    return SetValue.of([...new Set(members)], config.setMaxIntsetEntries)
  },
  rewrite: (key, value) => batched(["SADD", key], (value as SetValue).toArray(), (member, into) => into.push(member))
})
