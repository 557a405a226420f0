/**
 * Lists in RDB files (the plain list type, which Redis 7 still loads; Redis 7's quicklists of
 * listpacks, and Redis 6's ziplists and quicklists of ziplists, read too) and in rewritten AOFs (RPUSH).
 */
import { ListValue } from "../../keyspace/values/ListValue.js"
import { listpackElements, ziplistElements } from "../rdb/CompactEncodings.js"
import { TYPE_LIST } from "../rdb/RdbFormat.js"
import { batched, registerCodec } from "../ValueCodecs.js"

const TYPE_LIST_ZIPLIST = 10
const TYPE_LIST_QUICKLIST = 14
const TYPE_LIST_QUICKLIST_2 = 18
/** A quicklist node holding one element as it is (a large one), not a listpack. */
const QUICKLIST_NODE_PLAIN = 1

registerCodec({
  type: "list",
  rdbTypes: [TYPE_LIST, TYPE_LIST_ZIPLIST, TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2],
  rdbType: () => TYPE_LIST,
  write: (value, out) => {
    const list = value as ListValue
    out.lengthField(list.length)
    for (let i = 0; i < list.length; i++) out.string(list.at(i))
  },
  read: (rdbType, reader) => {
    if (rdbType === TYPE_LIST_ZIPLIST) {
      const elements = ziplistElements(Buffer.from(reader.string(), "latin1"))
      if (elements.length === 0) reader.fail("an empty list")
      return ListValue.of(elements)
    }
    const elements: Array<string> = []
    const count = reader.length()
    for (let i = 0; i < count; i++) {
      if (rdbType === TYPE_LIST) {
        elements.push(reader.string())
        continue
      }
      if (rdbType === TYPE_LIST_QUICKLIST) {
        elements.push(...ziplistElements(Buffer.from(reader.string(), "latin1")))
        continue
      }
      const container = reader.length()
      const node = reader.string()
      if (container === QUICKLIST_NODE_PLAIN) elements.push(node)
      else elements.push(...listpackElements(Buffer.from(node, "latin1")))
    }
    if (elements.length === 0) reader.fail("an empty list")
    return ListValue.of(elements)
  },
  rewrite: (key, value) => batched(["RPUSH", key], (value as ListValue).toArray(), (element, into) => into.push(element))
})
