/**
 * The ACL state of one server: its users (by name; `default` always exists), the security log,
 * and the permission check dispatch runs for clients whose user is restricted. Redis 7.0's rules:
 *
 * - A command runs when one selector of the user allows the command (or its first argument),
 *   every key it names (read keys need a pattern with R, written ones W: from the key specs'
 *   access/update/insert/delete flags) and every channel (PUBLISH, SUBSCRIBE, SSUBSCRIBE, SPUBLISH
 *   match channels against the patterns; PSUBSCRIBE's patterns must equal an allowed pattern).
 * - When none does, the reason reported is the "worst" one: a channel, else a key (the last
 *   position any selector stopped at), else the command.
 * - Passwords are kept as SHA-256 hex and compared in constant time; nothing here logs them.
 */
import { timingSafeEqual } from "node:crypto"
import type { CommandInfo, KeyReference } from "../protocol/CommandInfo.js"
import { findKeys, hasKeyArguments, keySpecsOf } from "../protocol/key-specs.js"
import { stringMatch } from "../keyspace/glob.js"
import { type AclCommand, commandIndexOf, type CommandIndex } from "./CommandIndex.js"
import { KEY_READ, KEY_WRITE, type Selector } from "./Selector.js"
import { AclUser, hashPassword } from "./User.js"

/** Redis's ACL_OK and ACL_DENIED_* numbers (their order decides which reason is reported). */
export const ACL_OK = 0
export const DENIED_COMMAND = 1
export const DENIED_KEY = 2
export const DENIED_AUTH = 3
export const DENIED_CHANNEL = 4

export interface AclVerdict {
  result: number
  /** The argv position of the key or channel refused. */
  position: number
}

export interface AclLogEntry {
  count: number
  readonly reason: number
  readonly context: "toplevel" | "multi" | "lua"
  readonly object: string
  readonly username: string
  /** Unix ms of the last occurrence. */
  at: number
  clientInfo: string
}

const ALLOWED: AclVerdict = Object.freeze({ result: ACL_OK, position: 0 })

/** Entries within this many ms of each other with the same reason, context, object and user merge. */
const LOG_GROUPING_MS = 60000

const CHANNEL_COMMANDS: ReadonlySet<string> = new Set(["publish", "spublish", "subscribe", "ssubscribe", "psubscribe"])

/** The last key flags `keyAccess` read, and their access: a pipeline repeats one command's key specs. */
let lastFlags: ReadonlyArray<string> | undefined = undefined
let lastAccess = 0

const keyAccess = (flags: ReadonlyArray<string>): number => {
  if (flags === lastFlags) return lastAccess
  let access = 0
  if (flags.includes("access")) access |= KEY_READ
  if (flags.includes("insert") || flags.includes("delete") || flags.includes("update")) access |= KEY_WRITE
  lastFlags = flags
  lastAccess = access
  return access
}

/** A key pattern's literal prefix when it is `prefix*` with no other glob character, else null. */
const literalPrefixOf = (pattern: string): string | null => {
  const body = pattern.slice(0, -1)
  return pattern.endsWith("*") && !/[*?[\\]/.test(body) ? body : null
}

const checkKey = (selector: Selector, key: string, access: number): boolean => {
  if (selector.allKeys) return true
  for (const pattern of selector.patterns) {
    if ((pattern.flags & access) !== access) continue
    let prefix = pattern.prefix
    if (prefix === undefined) prefix = pattern.prefix = literalPrefixOf(pattern.pattern)
    if (prefix !== null ? key.startsWith(prefix) : stringMatch(pattern.pattern, key)) return true
  }
  return false
}

const checkChannel = (selector: Selector, channel: string, literal: boolean): boolean => {
  if (selector.allChannels) return true
  for (const pattern of selector.channels) {
    if (literal ? pattern === channel : stringMatch(pattern, channel)) return true
  }
  return false
}

export class Acl {
  readonly index: CommandIndex
  readonly users = new Map<string, AclUser>()
  readonly defaultUser: AclUser
  readonly log: Array<AclLogEntry> = []
  logMaxLength = 128
  /** `--aclfile`: where ACL SAVE writes and ACL LOAD reads ("" when not configured). */
  filename = ""
  /** The keys of the command `check` is checking, found once for all its selectors (no closure per check). */
  private keysSpec: CommandInfo | undefined = undefined
  private keysArgv: ReadonlyArray<string> = []
  private keys: ReadonlyArray<KeyReference> | undefined = undefined
  private readonly keysOfChecked = (): ReadonlyArray<KeyReference> =>
    (this.keys ??= findKeys(this.keysSpec!, this.keysArgv))
  /** By command id: the one key of commands whose key spec names one fixed position (GET, SET, ...), or null. */
  private readonly singleKeys: Array<KeyReference | null | undefined> = []
  /** The spec `check` last looked up, and its command: a pipeline repeats one command. */
  private lastSpec: CommandInfo | undefined = undefined
  private lastCommand: AclCommand | undefined = undefined

  constructor(commands: ReadonlyMap<string, CommandInfo>, requirepass = "") {
    this.index = commandIndexOf(commands)
    this.defaultUser = Acl.makeDefaultUser(this.index)
    this.users.set("default", this.defaultUser)
    if (requirepass !== "") this.setDefaultPassword(requirepass)
  }

  static makeDefaultUser(index: CommandIndex): AclUser {
    const user = new AclUser("default", index)
    for (const rule of ["+@all", "~*", "&*", "on", "nopass"]) user.apply(rule)
    return user
  }

  /** `requirepass`: the default user's only password ("" = nopass). */
  setDefaultPassword(password: string): void {
    this.defaultUser.apply("resetpass")
    this.defaultUser.apply(password === "" ? "nopass" : `>${password}`)
  }

  /** Users sorted by name, as Redis's radix tree lists them. */
  sortedUsers(): Array<AclUser> {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** The user `username` authenticates as with `password`, or undefined (unknown, off, wrong). */
  checkCredentials(username: string, password: string): AclUser | undefined {
    const user = this.users.get(username)
    if (user === undefined || !user.enabled) return undefined
    if (user.nopass) return user
    const hashed = Buffer.from(hashPassword(password), "latin1")
    let matched = false
    for (const hash of user.passwords) {
      if (timingSafeEqual(hashed, Buffer.from(hash, "latin1"))) matched = true
    }
    return matched ? user : undefined
  }

  commandOf(spec: CommandInfo): AclCommand | undefined {
    return this.index.bySpec.get(spec)
  }

  /** Whether `user` may run `spec` with `argv` (Redis's ACLCheckAllUserCommandPerm). */
  check(user: AclUser, spec: CommandInfo, argv: ReadonlyArray<string>): AclVerdict {
    // Without allocating: a selector that allows every command and key, and this command's channels.
    for (const selector of user.selectors) {
      if (selector.allCommands && selector.allKeys && (selector.allChannels || !CHANNEL_COMMANDS.has(spec.name))) {
        return ALLOWED
      }
    }
    const command = spec === this.lastSpec ? this.lastCommand : this.index.bySpec.get(spec)
    if (command === undefined) return { result: DENIED_COMMAND, position: 0 }
    this.lastSpec = spec
    this.lastCommand = command
    let relevant = DENIED_COMMAND
    let lastPosition = 0
    this.keysSpec = spec
    this.keysArgv = argv
    this.keys = undefined
    for (const selector of user.selectors) {
      const verdict = this.checkSelector(selector, command, argv, this.keysOfChecked)
      if (verdict.result === ACL_OK) return verdict
      if (verdict.result > relevant || (verdict.result === relevant && verdict.position > lastPosition)) {
        relevant = verdict.result
        lastPosition = verdict.position
      }
    }
    return { result: relevant, position: lastPosition }
  }

  /** The key a command's arguments hold at one fixed position, as findKeys finds it, without allocating. */
  private singleKeyOf(command: AclCommand): KeyReference | null {
    let single = this.singleKeys[command.id]
    if (single === undefined) {
      const specs = keySpecsOf(command.spec)
      const only = specs.length === 1 ? specs[0] : undefined
      single = only !== undefined && only.begin === undefined && only.find.kind === "range" && only.find.lastKey === 0 &&
          !only.flags.includes("not_key") && !only.flags.includes("variable_flags") && !only.flags.includes("incomplete")
        ? { position: only.index, flags: only.flags }
        : null
      this.singleKeys[command.id] = single
    }
    return single
  }

  private checkSelector(
    selector: Selector,
    command: AclCommand,
    argv: ReadonlyArray<string>,
    keysOf: () => ReadonlyArray<{ position: number; flags: ReadonlyArray<string> }>
  ): AclVerdict {
    const spec = command.spec
    if (!selector.allCommands && !spec.flags.includes("no_auth") && selector.allowed[command.id] !== 1) {
      const firstArgs = selector.firstArgs?.get(command.id)
      const at = command.parent !== undefined ? 2 : 1
      if (argv.length < 2 || firstArgs === undefined) return { result: DENIED_COMMAND, position: 0 }
      const wanted = (argv[at] ?? "").toLowerCase()
      if (!firstArgs.some((arg) => arg.toLowerCase() === wanted)) return { result: DENIED_COMMAND, position: 0 }
    }
    if (!selector.allKeys && hasKeyArguments(spec)) {
      const single = this.singleKeyOf(command)
      if (single !== null && single.position < argv.length) {
        if (!checkKey(selector, argv[single.position], keyAccess(single.flags))) {
          return { result: DENIED_KEY, position: single.position }
        }
      } else for (const key of keysOf()) {
        if (!checkKey(selector, argv[key.position], keyAccess(key.flags))) {
          return { result: DENIED_KEY, position: key.position }
        }
      }
    }
    if (!selector.allChannels && CHANNEL_COMMANDS.has(spec.name)) {
      const publishing = spec.name === "publish" || spec.name === "spublish"
      const last = publishing ? 1 : argv.length - 1
      for (let i = 1; i <= last; i++) {
        if (!checkChannel(selector, argv[i], spec.name === "psubscribe")) return { result: DENIED_CHANNEL, position: i }
      }
    }
    return ALLOWED
  }

  /**
   * Whether one selector that allows `spec` with `argv` also reads (or writes, per `access`) every
   * key: a `~*` pattern with that access or allkeys (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess).
   * SORT's BY and GET patterns name keys no key spec can find, so Redis asks for this instead.
   */
  hasUnrestrictedKeyAccess(user: AclUser, spec: CommandInfo, argv: ReadonlyArray<string>, access: number): boolean {
    const command = this.index.bySpec.get(spec)
    if (command === undefined) return false
    let keys: ReadonlyArray<{ position: number; flags: ReadonlyArray<string> }> | undefined
    for (const selector of user.selectors) {
      const verdict = this.checkSelector(selector, command, argv, () => (keys ??= findKeys(spec, argv)))
      if (verdict.result !== ACL_OK) continue
      if (selector.allKeys) return true
      if (selector.patterns.some((key) => (key.flags & access) === access && key.pattern === "*")) return true
    }
    return false
  }

  /** Whether `user` may receive messages of `channel` (keyspace notifications, patterns). */
  channelAllowed(user: AclUser, channel: string, literal: boolean): boolean {
    return user.selectors.some((selector) => checkChannel(selector, channel, literal))
  }

  /** `acllog-max-len`: as in Redis, the log is trimmed to it when the next entry is added. */
  setLogMaxLength(length: number): void {
    this.logMaxLength = length
  }

  /** Adds to the security log, merging with a recent entry of the same kind (Redis's addACLLogEntry). */
  addLogEntry(entry: Omit<AclLogEntry, "count">): void {
    const scanned = this.log.slice(0, 10)
    const match = scanned.find((known) =>
      known.reason === entry.reason && known.context === entry.context &&
      Math.abs(known.at - entry.at) <= LOG_GROUPING_MS && known.object === entry.object &&
      known.username === entry.username
    )
    if (match !== undefined) {
      this.log.splice(this.log.indexOf(match), 1)
      this.log.unshift(match)
      match.count++
      match.at = entry.at
      match.clientInfo = entry.clientInfo
      return
    }
    this.log.unshift({ ...entry, count: 1 })
    if (this.log.length > this.logMaxLength) this.log.length = this.logMaxLength
  }
}
