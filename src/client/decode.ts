/**
 * Reading replies as the types the helpers promise. A reply of another shape means the server
 * does not speak the command as Redis does: that is a defect (the helper throws, Effect.map turns
 * it into a die), not an error a caller could handle.
 */
import * as Option from "effect/Option"
import type { RespValue } from "./RespValue.js"

class UnexpectedReplyError extends Error {
  override readonly name = "UnexpectedReplyError"
  constructor(expected: string, reply: RespValue) {
    super(`redfiber client: expected ${expected}, got ${describe(reply)}`)
  }
}

const describe = (reply: RespValue): string =>
  reply === null
    ? "null"
    : Buffer.isBuffer(reply)
    ? `bulk ${JSON.stringify(reply.toString("utf8"))}`
    : Array.isArray(reply)
    ? `array of ${reply.length}`
    : typeof reply === "object"
    ? `error ${JSON.stringify((reply as { message: string }).message)}`
    : `${typeof reply} ${String(reply)}`

export const asText = (reply: RespValue): string => {
  if (Buffer.isBuffer(reply)) return reply.toString("utf8")
  if (typeof reply === "string") return reply
  throw new UnexpectedReplyError("a string", reply)
}

export const asOptionalText = (reply: RespValue): Option.Option<string> =>
  reply === null ? Option.none() : Option.some(asText(reply))

export const asOptionalBuffer = (reply: RespValue): Option.Option<Buffer> => {
  if (reply === null) return Option.none()
  if (Buffer.isBuffer(reply)) return Option.some(reply)
  throw new UnexpectedReplyError("a bulk string", reply)
}

export const asNumber = (reply: RespValue): number => {
  if (typeof reply === "number") return reply
  if (typeof reply === "bigint") return Number(reply)
  throw new UnexpectedReplyError("an integer", reply)
}

/** A number sent as a bulk string (INCRBYFLOAT, scores). */
export const asFloat = (reply: RespValue): number => {
  const text = asText(reply)
  return text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text)
}

export const asBoolean = (reply: RespValue): boolean => asNumber(reply) === 1

export const asArray = (reply: RespValue): ReadonlyArray<RespValue> => {
  if (Array.isArray(reply)) return reply
  throw new UnexpectedReplyError("an array", reply)
}

export const asTextArray = (reply: RespValue): Array<string> => asArray(reply).map(asText)

export const asOptionalTextArray = (reply: RespValue): Array<Option.Option<string>> =>
  asArray(reply).map(asOptionalText)

/** A flat `field value field value ...` array (HGETALL in RESP2) as a record. */
export const asRecord = (reply: RespValue): Record<string, string> => {
  const items = asArray(reply)
  const pairs: Array<[string, string]> = []
  for (let i = 0; i + 1 < items.length; i += 2) pairs.push([asText(items[i]), asText(items[i + 1])])
  // fromEntries defines own properties: a field named "__proto__" stays a field.
  return Object.fromEntries(pairs)
}

export const asOk = (reply: RespValue): void => {
  if (reply !== "OK") throw new UnexpectedReplyError("OK", reply)
}
