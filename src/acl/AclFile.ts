/**
 * ACL SAVE and ACL LOAD with `aclfile`: one `user <name> <rules>` line per user, as ACL LIST prints
 * them. Loading validates the whole file into new users first: any error changes nothing, and the
 * reply lists every problem found (Redis 7.0's texts).
 */
import * as fs from "node:fs"
import { Acl } from "./Acl.js"
import { AclRuleError, hasSpaces, RULE_ERRORS } from "./Selector.js"
import { AclUser, mergeSelectorArguments } from "./User.js"

export const saveAclFile = (acl: Acl, filename: string): boolean => {
  let text = ""
  for (const user of acl.sortedUsers()) text += `user ${user.name} ${user.describe()}\n`
  const temporary = `${filename}.tmp-${process.pid}-${Date.now()}`
  try {
    fs.writeFileSync(temporary, text, { encoding: "latin1", mode: 0o644 })
    fs.renameSync(temporary, filename)
    return true
  } catch {
    fs.rmSync(temporary, { force: true })
    return false
  }
}

/** The users the file defines (the default user included, made if absent), or the error text. */
export const readAclFile = (acl: Acl, filename: string): Map<string, AclUser> | string => {
  let content: string
  try {
    content = fs.readFileSync(filename, "latin1")
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === "ENOENT" ? "No such file or directory" : code === "EACCES" ? "Permission denied" : String(code)
    return `Error loading ACLs, opening file '${filename}': ${reason}`
  }
  const users = new Map<string, AclUser>()
  let errors = ""
  const lines = content.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")
    const lineNumber = i + 1
    if (line === "") continue
    const argv = line.split(" ").filter((word) => word !== "")
    if (argv.length === 0) continue
    if (argv[0] !== "user" || argv.length < 2) {
      errors += `${filename}:${lineNumber} should start with user keyword followed by the username. `
      continue
    }
    if (hasSpaces(argv[1])) {
      errors += `'${filename}:${lineNumber}: username '${argv[1]}' contains invalid characters. `
      continue
    }
    if (users.has(argv[1])) {
      errors += `WARNING: Duplicate user '${argv[1]}' found on line ${lineNumber}. `
      continue
    }
    const user = new AclUser(argv[1], acl.index)
    users.set(argv[1], user)
    const rules = mergeSelectorArguments(argv.slice(2))
    if (typeof rules === "number") {
      errors += `${filename}:${lineNumber}: Unmatched parenthesis in selector definition.`
      continue
    }
    for (const merged of rules) {
      const rule = merged.replace(/^[\t\r\n]+|[\t\r\n]+$/g, "")
      try {
        user.apply(rule)
      } catch (error) {
        if (!(error instanceof AclRuleError)) throw error
        errors += `${filename}:${lineNumber}: Error in applying operation '${rule}': ${error.message}. `
      }
    }
  }
  if (errors !== "") return `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed`
  return users
}

/** Makes `users` the ACL's users: the default user keeps its identity (clients hold it). */
export const installUsers = (acl: Acl, users: Map<string, AclUser>): void => {
  const newDefault = users.get("default")
  if (newDefault !== undefined) acl.defaultUser.copyFrom(newDefault)
  else acl.defaultUser.copyFrom(Acl.makeDefaultUser(acl.index))
  acl.users.clear()
  acl.users.set("default", acl.defaultUser)
  for (const [name, user] of users) if (name !== "default") acl.users.set(name, user)
}

/** The ACL file at start: its users, or the error that stops the start. */
export const loadAclFileAtStart = (acl: Acl, filename: string): string | undefined => {
  const users = readAclFile(acl, filename)
  if (typeof users === "string") return users
  installUsers(acl, users)
  return undefined
}

/**
 * Redis's check of a `user` line of redis.conf while reading the file (ACLAppendUserForLoading):
 * "Error in user declaration '<arg>': <reason>", or undefined. Unknown commands and categories
 * pass here and stop the start later (`installConfiguredUsers`). Redis names the line's argument
 * at the failing rule's index among the rules, counting from `user` (so often not the rule).
 */
export const configuredUserError = (acl: Acl, args: ReadonlyArray<string>): string | undefined => {
  const rules = mergeSelectorArguments(args.slice(2))
  // An unmatched parenthesis: Redis reports the argument at the selector's index, with a stale errno.
  if (typeof rules === "number") return `Error in user declaration '${args[rules]}': ${RULE_ERRORS.unknown}`
  const scratch = new AclUser("__fakeuser__", acl.index)
  for (let j = 0; j < rules.length; j++) {
    try {
      scratch.apply(rules[j])
    } catch (error) {
      if (!(error instanceof AclRuleError)) throw error
      if (error.message === RULE_ERRORS.unknown) continue
      return `Error in user declaration '${args[j]}': ${error.message}`
    }
  }
  return undefined
}

/**
 * The `user` lines of redis.conf at start (Redis's ACLLoadConfiguredUsers): each user made with
 * its rules (the default user reset first); the error that stops the start, or undefined.
 */
export const installConfiguredUsers = (acl: Acl, users: ReadonlyArray<ReadonlyArray<string>>): string | undefined => {
  for (const [name, ...args] of users) {
    let user = acl.users.get(name)
    if (user === undefined) {
      user = new AclUser(name, acl.index)
      acl.users.set(name, user)
    } else {
      user.apply("reset")
    }
    const rules = mergeSelectorArguments(args)
    if (typeof rules === "number") return `Error loading ACL rule '${args[rules]}' for the user named '${name}'`
    for (const rule of rules) {
      try {
        user.apply(rule)
      } catch (error) {
        if (!(error instanceof AclRuleError)) throw error
        return `Error loading ACL rule '${rule}' for the user named '${name}': ${error.message}`
      }
    }
  }
  return undefined
}

/** CONFIG REWRITE's `user` lines when no aclfile is set: every user, as ACL LIST prints it. */
export const configuredUserLines = (acl: Acl): Array<string> =>
  acl.sortedUsers().map((user) => `user ${user.name} ${user.describe()}`)
