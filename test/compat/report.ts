/**
 * Turning many mismatches into a report someone can act on: mismatches grouped by a signature
 * (command name and the kinds of the two replies, with error texts in full), and for a generated
 * sequence the shortest prefix-minus-steps that still shows the same mismatch, found by greedily
 * dropping earlier steps and re-running on fresh servers.
 */
import { commandName, formatMismatch, type Mismatch, type Pair, printable, type Step, showCommand } from "./compare.js"

/** What a shown reply is, coarse enough to group: most errors and simple strings in full, values by kind. */
const replyShape = (shown: string): string => {
  // These echo their arguments: one group for all of them.
  if (shown.startsWith("-ERR unknown command ")) return "-ERR unknown command '…'"
  if (shown.startsWith("-ERR unknown subcommand ")) return "-ERR unknown subcommand '…'"
  if (shown.startsWith("-") || shown.startsWith("+") || shown.startsWith("<") || shown === "(nil)") return shown
  if (shown.startsWith(":")) return "integer"
  if (shown.startsWith('"')) return "bulk"
  if (shown.startsWith("[") || shown === "(nil array)") return "array"
  return shown
}

/** Commands whose few possible answers are worth a group each (int vs embstr, embstr vs raw). */
const ENUMERATED = new Set(["OBJECT ENCODING", "TYPE"])

export const signature = (m: Mismatch): string => {
  const name = commandName(m.argv)
  const shape = ENUMERATED.has(name) ? (shown: string) => shown : replyShape
  return printable(`${name}: ours ${shape(m.ours)} / redis ${shape(m.redis)}`)
}

export interface MismatchGroup {
  readonly signature: string
  readonly count: number
  readonly first: Mismatch
}

export const groupMismatches = (mismatches: ReadonlyArray<Mismatch>): Array<MismatchGroup> => {
  const groups = new Map<string, { count: number; first: Mismatch }>()
  for (const m of mismatches) {
    const key = signature(m)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { count: 1, first: m })
    else group.count++
  }
  return [...groups.entries()]
    .map(([key, group]) => ({ signature: key, ...group }))
    .sort((a, b) => a.signature.localeCompare(b.signature))
}

/**
 * The fewest steps (keeping order) ending in `steps[failing]` that still mismatch with the same
 * signature on that last step.
 */
export const minimize = async (
  pair: Pair,
  steps: ReadonlyArray<Step>,
  failing: number,
  wanted: string
): Promise<Array<Step>> => {
  let current = steps.slice(0, failing + 1)
  const stillFails = async (candidate: ReadonlyArray<Step>): Promise<boolean> => {
    await pair.reset()
    const found = await pair.run("minimize", candidate)
    return found.some((m) => m.index === candidate.length - 1 && signature(m) === wanted)
  }
  for (let drop = current.length - 2; drop >= 0; drop--) {
    const candidate = [...current.slice(0, drop), ...current.slice(drop + 1)]
    if (await stillFails(candidate)) current = candidate
  }
  return current
}

export const formatGroup = (group: MismatchGroup, repro?: ReadonlyArray<Step>): string => {
  const lines = [`${group.signature}  (${group.count}x)`, `  e.g. ${formatMismatch(group.first).replace(/\n/g, "\n  ")}`]
  if (repro !== undefined && repro.length > 1) {
    lines.push(`  minimal repro (fresh servers): ${repro.map((step) => showCommand(step.argv)).join(" ; ")}`)
  }
  return lines.join("\n")
}
