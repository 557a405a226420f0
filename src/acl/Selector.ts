/**
 * An ACL selector: the commands, keys and channels one set of rules allows. Every user has a root
 * selector (the rules outside parentheses) and any number of `(...)` selectors; a command runs
 * when one selector allows all of it. Rules apply as Redis 7.0's ACLSetSelector applies them, and
 * `describeCommandRules` rebuilds the shortest `+@cat`/`-cmd` string Redis prints for them.
 */
import { ACL_CATEGORIES, type AclCommand, type CommandIndex } from "./CommandIndex.js"

/** Why a rule was refused: Redis's ACLSetUserStringError texts. */
export const RULE_ERRORS = {
  unknown: "Unknown command or category name in ACL",
  syntax: "Syntax error",
  keyAfterAll:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. " +
    "Try 'resetkeys' to start with an empty list of patterns",
  channelAfterAll:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. " +
    "Try 'resetchannels' to start with an empty list of channels",
  noSuchPassword: "The password you are trying to remove from the user does not exist",
  badHash: "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
  firstArgOfSubcommand: "Allowing first-arg of a subcommand is not supported"
} as const

export class AclRuleError extends Error {}

export const KEY_READ = 1
export const KEY_WRITE = 2
const KEY_ALL = 3

export interface KeyPattern {
  readonly pattern: string
  /** KEY_READ, KEY_WRITE or both. */
  flags: number
  /** The pattern's literal prefix when it is `prefix*` and nothing else is special, else null (set on first use). */
  prefix?: string | null
}

/** Redis's isspace or NUL: names and patterns may not contain them. */
export const hasSpaces = (text: string): boolean => /[\s\0\v]/.test(text)

export class Selector {
  /** Bit per command id; bit `index.size` is "future commands" (set by +@all only). */
  allowed: Uint8Array
  allCommands = false
  allKeys = false
  allChannels = false
  patterns: Array<KeyPattern> = []
  channels: Array<string> = []
  /** Command id → first arguments allowed although the command is not (`+select|0`). */
  firstArgs: Map<number, Array<string>> | undefined = undefined

  constructor(readonly index: CommandIndex, readonly root: boolean) {
    this.allowed = new Uint8Array(index.size + 1)
  }

  clone(): Selector {
    const copy = new Selector(this.index, this.root)
    copy.allowed = this.allowed.slice()
    copy.allCommands = this.allCommands
    copy.allKeys = this.allKeys
    copy.allChannels = this.allChannels
    copy.patterns = this.patterns.map((pattern) => ({ ...pattern }))
    copy.channels = [...this.channels]
    if (this.firstArgs !== undefined) {
      copy.firstArgs = new Map([...this.firstArgs].map(([id, args]) => [id, [...args]]))
    }
    return copy
  }

  get futureCommands(): boolean {
    return this.allowed[this.index.size] === 1
  }

  /** Allows or denies one command; a container's subcommands follow it. */
  setCommand(command: AclCommand, allow: boolean): void {
    this.setBit(command.id, allow)
    this.firstArgs?.delete(command.id)
    for (const sub of command.subcommands) this.setBit(sub.id, allow)
  }

  private setBit(id: number, allow: boolean): void {
    this.allowed[id] = allow ? 1 : 0
    if (!allow) this.allCommands = false
  }

  setCategory(category: string, allow: boolean): void {
    for (const command of this.index.topLevel) {
      if (command.categories.has(category)) this.setCommand(command, allow)
      for (const sub of command.subcommands) if (sub.categories.has(category)) this.setCommand(sub, allow)
    }
  }

  /** Commands of `category` this selector allows and denies. */
  countCategory(category: string): { on: number; off: number } {
    let on = 0
    let off = 0
    for (const command of this.index.walk()) {
      if (!command.categories.has(category)) continue
      if (this.allowed[command.id] === 1) on++
      else off++
    }
    return { on, off }
  }

  /** Applies one rule (Redis's ACLSetSelector); throws AclRuleError when it is refused. */
  apply(op: string): void {
    const lower = op.toLowerCase()
    if (lower === "allkeys" || op === "~*") {
      this.allKeys = true
      this.patterns = []
    } else if (lower === "resetkeys") {
      this.allKeys = false
      this.patterns = []
    } else if (lower === "allchannels" || op === "&*") {
      this.allChannels = true
      this.channels = []
    } else if (lower === "resetchannels") {
      this.allChannels = false
      this.channels = []
    } else if (lower === "allcommands" || lower === "+@all") {
      this.allowed.fill(1)
      this.allCommands = true
      this.firstArgs = undefined
    } else if (lower === "nocommands" || lower === "-@all") {
      this.allowed.fill(0)
      this.allCommands = false
      this.firstArgs = undefined
    } else if (op[0] === "~" || op[0] === "%") {
      this.addKeyPattern(op)
    } else if (op[0] === "&") {
      if (this.allChannels) throw new AclRuleError(RULE_ERRORS.channelAfterAll)
      const pattern = op.slice(1)
      if (hasSpaces(pattern)) throw new AclRuleError(RULE_ERRORS.syntax)
      if (!this.channels.includes(pattern)) this.channels.push(pattern)
      this.allChannels = false
    } else if (op[0] === "+" && op[1] !== "@") {
      this.allowCommand(op.slice(1))
    } else if (op[0] === "-" && op[1] !== "@") {
      const command = this.index.byName.get(op.slice(1).toLowerCase())
      if (command === undefined) throw new AclRuleError(RULE_ERRORS.unknown)
      this.setCommand(command, false)
    } else if ((op[0] === "+" || op[0] === "-") && op[1] === "@") {
      const category = op.slice(2).toLowerCase()
      if (!ACL_CATEGORIES.includes(category)) throw new AclRuleError(RULE_ERRORS.unknown)
      this.setCategory(category, op[0] === "+")
    } else {
      throw new AclRuleError(RULE_ERRORS.syntax)
    }
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new AclRuleError(RULE_ERRORS.keyAfterAll)
    let flags = 0
    let offset = 1
    if (op[0] === "%") {
      for (; offset < op.length; offset++) {
        const c = op[offset].toUpperCase()
        if (c === "R" && (flags & KEY_READ) === 0) flags |= KEY_READ
        else if (c === "W" && (flags & KEY_WRITE) === 0) flags |= KEY_WRITE
        else if (op[offset] === "~") {
          offset++
          break
        } else throw new AclRuleError(RULE_ERRORS.syntax)
      }
    } else {
      flags = KEY_ALL
    }
    const pattern = op.slice(offset)
    if (hasSpaces(pattern)) throw new AclRuleError(RULE_ERRORS.syntax)
    const existing = this.patterns.find((known) => known.pattern === pattern)
    if (existing === undefined) this.patterns.push({ pattern, flags })
    else existing.flags |= flags
    this.allKeys = false
  }

  private allowCommand(name: string): void {
    const bar = name.lastIndexOf("|")
    if (bar < 0) {
      const command = this.index.byName.get(name.toLowerCase())
      if (command === undefined) throw new AclRuleError(RULE_ERRORS.unknown)
      return this.setCommand(command, true)
    }
    const head = name.slice(0, bar).toLowerCase()
    const sub = name.slice(bar + 1)
    const command = this.index.byName.get(head)
    if (command === undefined) throw new AclRuleError(RULE_ERRORS.unknown)
    if (command.parent !== undefined) throw new AclRuleError(RULE_ERRORS.firstArgOfSubcommand)
    if (sub.length === 0) throw new AclRuleError(RULE_ERRORS.syntax)
    if (command.spec.subcommands !== undefined) {
      const subcommand = this.index.byName.get(name.toLowerCase())
      if (subcommand === undefined) throw new AclRuleError(RULE_ERRORS.unknown)
      return this.setCommand(subcommand, true)
    }
    // A first argument of a command without subcommands (`+select|0`): Redis's deprecated form.
    this.firstArgs ??= new Map()
    const allowed = this.firstArgs.get(command.id) ?? []
    if (!allowed.some((arg) => arg.toLowerCase() === sub.toLowerCase())) allowed.push(sub)
    this.firstArgs.set(command.id, allowed)
  }

  /**
   * The command rules as Redis prints them: +@all or -@all, then the categories that best fit
   * what is left (most in common, fewest differences first), then single commands (table order)
   * and first arguments, so that applying the string rebuilds exactly this selector.
   */
  describeCommandRules(): string {
    const additive = !this.futureCommands
    const fake = new Selector(this.index, false)
    fake.apply(additive ? "-@all" : "+@all")
    let rules = additive ? "-@all " : "+@all "
    const temp = new Selector(this.index, false)
    temp.allowed = this.allowed.slice()
    const applied = new Set<string>()
    for (;;) {
      let best: string | undefined
      let minDiff = Number.MAX_SAFE_INTEGER
      let maxSame = 0
      for (const category of ACL_CATEGORIES) {
        if (applied.has(category)) continue
        const { on, off } = temp.countCategory(category)
        const diff = additive ? off : on
        const same = additive ? on : off
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = category
          minDiff = diff
          maxSame = same
        }
      }
      if (best === undefined) break
      fake.setCategory(best, additive)
      temp.setCategory(best, !additive)
      rules += `${additive ? "+" : "-"}@${best} `
      applied.add(best)
    }
    const single = (command: AclCommand) => {
      const mine = this.allowed[command.id] === 1
      if (mine !== (fake.allowed[command.id] === 1)) {
        rules += `${mine ? "+" : "-"}${command.spec.name} `
        fake.setCommand(command, mine)
      }
      for (const sub of command.subcommands) single(sub)
      const firstArgs = this.firstArgs?.get(command.id)
      if (!mine && firstArgs !== undefined) for (const arg of firstArgs) rules += `+${command.spec.name}|${arg} `
    }
    for (const command of this.index.topLevel) single(command)
    return rules.slice(0, -1)
  }

  /** Keys, channels and commands, as ACL LIST shows a selector. */
  describe(): string {
    let text = ""
    if (this.allKeys) text += "~* "
    else for (const pattern of this.patterns) text += `${describeKeyPattern(pattern)} `
    if (this.allChannels) text += "&* "
    else {
      text += "resetchannels "
      for (const channel of this.channels) text += `&${channel} `
    }
    return text + this.describeCommandRules()
  }
}

export const describeKeyPattern = (pattern: KeyPattern): string =>
  `${pattern.flags === KEY_ALL ? "~" : pattern.flags === KEY_READ ? "%R~" : "%W~"}${pattern.pattern}`
