/**
 * DEBUG DIGEST / DIGEST-VALUE: Redis's SHA1-based signature of the data set (or of some values),
 * computed the way Redis 7.0's debug.c does, so equal data sets give equal digests on both
 * servers (tests compare them): per key, the SHA1 mix of its name, type, value and whether it
 * has a TTL; keys XORed together (order does not matter), databases mixed in by number.
 */
import { createHash } from "node:crypto"
import type { Database } from "../../keyspace/Database.js"
import type { Keyspace } from "../../keyspace/Keyspace.js"
import type { RedisValue } from "../../keyspace/Value.js"
import { formatScore } from "../../protocol/score-text.js"
import type { HashValue } from "../../keyspace/values/HashValue.js"
import type { ListValue } from "../../keyspace/values/ListValue.js"
import type { SetValue } from "../../keyspace/values/SetValue.js"
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"

const sha1 = (data: Uint8Array): Buffer => createHash("sha1").update(data).digest()
const bytes = (text: string): Buffer => Buffer.from(text, "latin1")

/** digest ^= SHA1(data) */
const xorDigest = (digest: Buffer, data: Uint8Array): void => {
  const hash = sha1(data)
  for (let i = 0; i < 20; i++) digest[i] ^= hash[i]
}

/** digest = SHA1(digest ^ SHA1(data)) */
const mixDigest = (digest: Buffer, data: Uint8Array): void => {
  xorDigest(digest, data)
  sha1(digest).copy(digest)
}

const uint32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value)
  return buffer
}

/** Redis's OBJ_* type numbers. */
const TYPE_NUMBER: Readonly<Record<string, number>> = { string: 0, list: 1, set: 2, zset: 3, hash: 4 }

/** A score as Redis 7.0's digest writes it ("%.17g"). */
const scoreText = formatScore

/** Redis's xorObjectDigest: the value's part of a key's digest. */
const xorValueDigest = (digest: Buffer, value: RedisValue, hasTtl: boolean): void => {
  mixDigest(digest, uint32(TYPE_NUMBER[typeof value === "string" ? "string" : value.type] ?? 0))
  if (typeof value === "string") {
    mixDigest(digest, bytes(value))
  } else if (value.type === "list") {
    for (const element of (value as ListValue).toArray()) mixDigest(digest, bytes(element))
  } else if (value.type === "set") {
    for (const member of (value as SetValue).toArray()) xorDigest(digest, bytes(member))
  } else if (value.type === "zset") {
    for (const [member, score] of (value as SortedSetValue).scores) {
      const element = Buffer.alloc(20)
      mixDigest(element, bytes(member))
      mixDigest(element, bytes(scoreText(score)))
      xorDigest(digest, element)
    }
  } else if (value.type === "hash") {
    for (const [field, text] of (value as HashValue).fields) {
      const element = Buffer.alloc(20)
      mixDigest(element, bytes(field))
      mixDigest(element, bytes(text))
      xorDigest(digest, element)
    }
  }
  if (hasTtl) xorDigest(digest, bytes("!!expire!!"))
}

const hex = (digest: Buffer): string => digest.toString("hex")

/** DEBUG DIGEST: the whole data set's signature (40 zeros when it is empty). */
export const datasetDigest = (keyspace: Keyspace, now: number): string => {
  const final = Buffer.alloc(20)
  for (const db of keyspace.databases) {
    if (db.size === 0) continue
    mixDigest(final, uint32(db.id))
    for (const key of db.keys()) {
      const value = db.peekValue(key, now)
      if (value === undefined) continue
      const digest = Buffer.alloc(20)
      mixDigest(digest, bytes(key))
      xorValueDigest(digest, value, db.expiresAt(key) !== undefined)
      xorDigest(final, digest)
    }
  }
  return hex(final)
}

/** DEBUG DIGEST-VALUE: one value's signature (40 zeros for a missing key). */
export const valueDigest = (db: Database, key: string, now: number): string => {
  const digest = Buffer.alloc(20)
  const value = db.peekValue(key, now)
  if (value !== undefined) xorValueDigest(digest, value, db.expiresAt(key) !== undefined)
  return hex(digest)
}
