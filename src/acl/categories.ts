/**
 * ACL categories: Redis's list, in the order COMMAND INFO shows them, and the categories of a
 * command (declared in the table, or derived from its group and flags).
 */
import type { CommandInfo } from "../protocol/CommandInfo.js"

/** Redis's ACL categories, in the order COMMAND INFO lists them. */
export const ACL_ORDER: ReadonlyArray<string> = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting"
]

/** The category a command of each group carries (Redis declares them per command). */
const GROUP_CATEGORY: Readonly<Record<string, string>> = {
  generic: "keyspace",
  string: "string",
  list: "list",
  set: "set",
  sorted_set: "sortedset",
  hash: "hash",
  bitmap: "bitmap",
  hyperloglog: "hyperloglog",
  geo: "geo",
  stream: "stream",
  pubsub: "pubsub",
  connection: "connection",
  transactions: "transaction",
  scripting: "scripting"
}

/**
 * ACL categories as COMMAND INFO shows them: the declared ones, or else the group's category plus
 * what the flags imply (write, read, admin+dangerous, pubsub, fast or slow, blocking), in order.
 */
export const aclCategoriesOf = (spec: CommandInfo): ReadonlyArray<string> => {
  if (spec.aclCategories !== undefined) return spec.aclCategories
  const categories = new Set<string>()
  const flags = spec.flags
  if (spec.subcommands === undefined && GROUP_CATEGORY[spec.group] !== undefined) {
    categories.add(GROUP_CATEGORY[spec.group])
  }
  if (flags.includes("write")) categories.add("write")
  if (flags.includes("readonly")) categories.add("read")
  if (flags.includes("admin")) {
    categories.add("admin")
    categories.add("dangerous")
  }
  if (flags.includes("pubsub")) categories.add("pubsub")
  categories.add(flags.includes("fast") ? "fast" : "slow")
  if (flags.includes("blocking")) categories.add("blocking")
  return ACL_ORDER.filter((category) => categories.has(category))
}
