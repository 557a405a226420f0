/**
 * `notify-keyspace-events`: which keyspace notifications are published, as a bit set, and its
 * text form in Redis's flag letters (K E g $ l s h z x e t m d n, and A for "g$lshzxetd").
 *
 * The value is kept as bits in `RuntimeConfig.notifyKeyspaceEvents`, so a command's check is one
 * AND. Its text is Redis 7.0's canonical spelling: "A" when every type class is on, otherwise the
 * type classes in the order g $ l s h z x e t d n, then K, E, m. (Redis 7.0 prints no "n" after
 * "A" even though the flag stays set: "KEAn" reads back as "AKE" and still publishes `new`.)
 */

/** The event classes, one bit each. */
export const NotifyType = {
  /** K: publish on `__keyspace@<db>__:<key>`. */
  Keyspace: 1 << 0,
  /** E: publish on `__keyevent@<db>__:<event>`. */
  Keyevent: 1 << 1,
  /** g: commands on keys of any type (DEL, EXPIRE, RENAME, ...). */
  Generic: 1 << 2,
  /** $: string commands. */
  String: 1 << 3,
  /** l: list commands. */
  List: 1 << 4,
  /** s: set commands. */
  Set: 1 << 5,
  /** h: hash commands. */
  Hash: 1 << 6,
  /** z: sorted set commands. */
  Zset: 1 << 7,
  /** x: a key expired (passive or active expiry). */
  Expired: 1 << 8,
  /** e: a key was evicted for maxmemory (src/eviction/MaxMemory.ts). */
  Evicted: 1 << 9,
  /** t: stream commands. */
  Stream: 1 << 10,
  /** m: a read found no key (not part of "A"). */
  KeyMiss: 1 << 11,
  /** d: module events. */
  Module: 1 << 12,
  /** n: a key was created (not part of "A"). */
  New: 1 << 13
} as const

/** "A": every type class. */
const ALL =
  NotifyType.Generic | NotifyType.String | NotifyType.List | NotifyType.Set | NotifyType.Hash | NotifyType.Zset |
  NotifyType.Expired | NotifyType.Evicted | NotifyType.Stream | NotifyType.Module

const LETTERS: ReadonlyArray<readonly [letter: string, bit: number]> = [
  ["g", NotifyType.Generic],
  ["$", NotifyType.String],
  ["l", NotifyType.List],
  ["s", NotifyType.Set],
  ["h", NotifyType.Hash],
  ["z", NotifyType.Zset],
  ["x", NotifyType.Expired],
  ["e", NotifyType.Evicted],
  ["t", NotifyType.Stream],
  ["d", NotifyType.Module],
  ["n", NotifyType.New],
  ["K", NotifyType.Keyspace],
  ["E", NotifyType.Keyevent],
  ["m", NotifyType.KeyMiss]
]
const BIT_OF = new Map(LETTERS)

export const ERR_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."

/** The bits a flag string sets, or undefined when it has a letter Redis does not know. */
export const parseKeyspaceEvents = (text: string): number | undefined => {
  let flags = 0
  for (const char of text) {
    if (char === "A") flags |= ALL
    else {
      const bit = BIT_OF.get(char)
      if (bit === undefined) return undefined
      flags |= bit
    }
  }
  return flags
}

/** The flag string CONFIG GET answers for `flags`. */
export const formatKeyspaceEvents = (flags: number): string => {
  let text = ""
  if ((flags & ALL) === ALL) text = "A"
  else {
    for (const [letter, bit] of LETTERS) {
      if (letter === "K") break
      if ((flags & bit) !== 0) text += letter
    }
  }
  if ((flags & NotifyType.Keyspace) !== 0) text += "K"
  if ((flags & NotifyType.Keyevent) !== 0) text += "E"
  if ((flags & NotifyType.KeyMiss) !== 0) text += "m"
  return text
}
