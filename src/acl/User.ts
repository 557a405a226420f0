/**
 * An ACL user: flags (on/off, nopass, payload sanitizing), password hashes (SHA-256 hex, never the
 * passwords themselves) and selectors, the root one first. Rules apply as Redis 7.0's ACLSetUser
 * applies them; `describe` is the rule string ACL LIST and ACL SAVE print.
 */
import { createHash } from "node:crypto"
import type { CommandIndex } from "./CommandIndex.js"
import { AclRuleError, RULE_ERRORS, Selector } from "./Selector.js"

const FLAG_ON = 1
const FLAG_OFF = 2
const FLAG_NOPASS = 4
const FLAG_SKIP_SANITIZE = 8
const FLAG_SANITIZE = 16

/** In the order Redis prints them. */
const USER_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["on", FLAG_ON],
  ["off", FLAG_OFF],
  ["nopass", FLAG_NOPASS],
  ["skip-sanitize-payload", FLAG_SKIP_SANITIZE],
  ["sanitize-payload", FLAG_SANITIZE]
]

export const hashPassword = (password: string): string => createHash("sha256").update(password, "latin1").digest("hex")

const isPasswordHash = (text: string): boolean => /^[0-9a-f]{64}$/.test(text)

export class AclUser {
  flags = FLAG_OFF
  passwords: Array<string> = []
  selectors: Array<Selector>
  /**
   * The root selector allows every command, key and channel: dispatch checks nothing more for
   * this user's clients (the default user, unless its rules changed). Kept by `refresh`.
   */
  unrestricted = false

  constructor(readonly name: string, readonly index: CommandIndex) {
    this.selectors = [new Selector(index, true)]
  }

  get root(): Selector {
    return this.selectors[0]
  }

  get enabled(): boolean {
    return (this.flags & FLAG_ON) !== 0
  }

  get nopass(): boolean {
    return (this.flags & FLAG_NOPASS) !== 0
  }

  get flagNames(): Array<string> {
    return USER_FLAGS.filter(([, flag]) => (this.flags & flag) !== 0).map(([name]) => name)
  }

  /** A copy to stage changes on (SETUSER applies all of its rules or none). */
  clone(name = this.name): AclUser {
    const copy = new AclUser(name, this.index)
    copy.copyFrom(this)
    return copy
  }

  copyFrom(other: AclUser): void {
    this.flags = other.flags
    this.passwords = [...other.passwords]
    this.selectors = other.selectors.map((selector) => selector.clone())
    this.refresh()
  }

  refresh(): void {
    const root = this.root
    this.unrestricted = root.allCommands && root.allKeys && root.allChannels
  }

  /** Applies one rule (Redis's ACLSetUser); throws AclRuleError when it is refused. */
  apply(op: string): void {
    try {
      this.applyRule(op)
    } finally {
      this.refresh()
    }
  }

  private applyRule(op: string): void {
    if (op.length === 0) return
    const lower = op.toLowerCase()
    if (lower === "on") this.flags = (this.flags | FLAG_ON) & ~FLAG_OFF
    else if (lower === "off") this.flags = (this.flags | FLAG_OFF) & ~FLAG_ON
    else if (lower === "skip-sanitize-payload") this.flags = (this.flags | FLAG_SKIP_SANITIZE) & ~FLAG_SANITIZE
    else if (lower === "sanitize-payload") this.flags = (this.flags | FLAG_SANITIZE) & ~FLAG_SKIP_SANITIZE
    else if (lower === "nopass") {
      this.flags |= FLAG_NOPASS
      this.passwords = []
    } else if (lower === "resetpass") {
      this.flags &= ~FLAG_NOPASS
      this.passwords = []
    } else if (op[0] === ">" || op[0] === "#") {
      const hash = op[0] === ">" ? hashPassword(op.slice(1)) : op.slice(1)
      if (op[0] === "#" && !isPasswordHash(hash)) throw new AclRuleError(RULE_ERRORS.badHash)
      if (!this.passwords.includes(hash)) this.passwords.push(hash)
      this.flags &= ~FLAG_NOPASS
    } else if (op[0] === "<" || op[0] === "!") {
      const hash = op[0] === "<" ? hashPassword(op.slice(1)) : op.slice(1)
      if (op[0] === "!" && !isPasswordHash(hash)) throw new AclRuleError(RULE_ERRORS.badHash)
      const at = this.passwords.indexOf(hash)
      if (at < 0) throw new AclRuleError(RULE_ERRORS.noSuchPassword)
      this.passwords.splice(at, 1)
    } else if (op[0] === "(" && op[op.length - 1] === ")") {
      const selector = new Selector(this.index, false)
      for (const rule of op.slice(1, -1).split(/[ \t\r\n]+/)) if (rule !== "") selector.apply(rule)
      this.selectors.push(selector)
    } else if (lower === "clearselectors") {
      this.selectors = [this.root]
    } else if (lower === "reset") {
      for (const rule of ["resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload", "clearselectors", "-@all"]) {
        this.applyRule(rule)
      }
    } else {
      this.root.apply(op)
    }
  }

  /** The rules after the name in ACL LIST (`on #hash ~* &* +@all`). */
  describe(): string {
    let text = ""
    for (const name of this.flagNames) text += `${name} `
    for (const hash of this.passwords) text += `#${hash} `
    for (const selector of this.selectors) {
      text += selector.root ? selector.describe() : ` (${selector.describe()})`
    }
    return text
  }
}

/**
 * ACL SETUSER's and the ACL file's arguments with selectors spread over several arguments joined
 * (`(~x` `+get)` → `(~x +get)`); the index of an unclosed one when it never closes.
 */
export const mergeSelectorArguments = (args: ReadonlyArray<string>): Array<string> | number => {
  const merged: Array<string> = []
  let open = -1
  let selector = ""
  for (let i = 0; i < args.length; i++) {
    const op = args[i]
    if (op[0] === "(" && op[op.length - 1] !== ")") {
      selector = op
      open = i
      continue
    }
    if (open >= 0) {
      selector += ` ${op}`
      if (op[op.length - 1] === ")") {
        open = -1
        merged.push(selector)
      }
      continue
    }
    merged.push(op)
  }
  return open >= 0 ? open : merged
}
