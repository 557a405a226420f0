/**
 * `RedisClient`: an Effect client for redfiber and any Redis 7 (or Valkey) server, RESP2.
 *
 *     const program = Effect.gen(function*() {
 *       const redis = yield* RedisClient
 *       yield* redis.set("greeting", "hello", { ttl: "10 seconds" })
 *       const value = yield* redis.get("greeting")            // Option<string>
 *       const reply = yield* redis.command("OBJECT", "ENCODING", "greeting")  // RespValue
 *     }).pipe(Effect.provide(RedisClient.layer({ port: 6379 })))
 *
 * - Every command is one Effect; commands issued concurrently are pipelined (one socket write per
 *   tick, replies matched in order). See CommandConnection.
 * - Failures are `RedisReplyError` (the server's error text) and `RedisConnectionError`.
 * - The connection is made when the client is built (a refused connection fails the layer), and
 *   remade on the `reconnect` Schedule when it drops, with the same credentials and database
 *   (a successful SELECT or AUTH sent through `command` updates them).
 * - `subscribe` / `psubscribe` each open their own connection for as long as their scope lasts.
 *
 * Helpers are named after their commands in lower case, take strings (UTF-8), numbers or
 * Buffers, and decode bulk replies as UTF-8 text; use `command` for raw Buffers or exact int64s.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as net from "node:net"
import { CommandConnection, type ConnectionOptions, defaultReconnectSchedule, type Session } from "./CommandConnection.js"
import {
  asArray,
  asBoolean,
  asFloat,
  asNumber,
  asOk,
  asOptionalBuffer,
  asOptionalText,
  asOptionalTextArray,
  asRecord,
  asText,
  asTextArray
} from "./decode.js"
import type { RedisConnectionError, RedisError } from "./errors.js"
import type { RedisArg, RespValue } from "./RespValue.js"
import { pushKind, Subscriber, type SubscriptionKind } from "./Subscriber.js"

export interface RedisClientConfig {
  /** Default 127.0.0.1. */
  readonly host?: string | undefined
  /** Default 6379. */
  readonly port?: number | undefined
  /** Sent with the password (HELLO 2 AUTH username password); default "default". */
  readonly username?: string | undefined
  readonly password?: string | undefined
  /** Database selected on every connection; default 0. */
  readonly db?: number | undefined
  /** How long a TCP connect may take; default 10 seconds. */
  readonly connectTimeout?: Duration.Input | undefined
  /** Retries after the connection drops; default `defaultReconnectSchedule` (backoff, ~10 s). */
  readonly reconnect?: Schedule.Schedule<unknown, RedisConnectionError> | undefined
  /** How simple-string and error replies are decoded: "utf8" (default), or "latin1" to keep bytes as chars. */
  readonly textEncoding?: "utf8" | "latin1" | undefined
}

export interface Message {
  readonly channel: string
  readonly message: string
}

export interface PatternMessage extends Message {
  readonly pattern: string
}

export interface SetOptions {
  /** Time to live (sent as PX). */
  readonly ttl?: Duration.Input | undefined
  /** Absolute expiry (sent as PXAT): a Date or Unix time in milliseconds. */
  readonly expiresAt?: Date | number | undefined
  /** Keep the key's current time to live (KEEPTTL). */
  readonly keepTtl?: boolean | undefined
  /** Only set if the key does not exist (NX) / already exists (XX). */
  readonly condition?: "NX" | "XX" | undefined
}

type R<A> = Effect.Effect<A, RedisError>

export interface RedisClientService {
  /** Any command, its reply as a `RespValue`; an error reply fails with `RedisReplyError`. */
  readonly command: (...args: ReadonlyArray<RedisArg>) => R<RespValue>
  /** Whether the connection is up now (false while reconnecting, or after reconnecting gave up). */
  readonly connected: Effect.Effect<boolean>
  /** The credentials and database new connections are set up with (they follow SELECT and AUTH). */
  readonly session: Readonly<Session>
  readonly ping: (message?: string) => R<string>
  readonly echo: (message: RedisArg) => R<string>
  readonly get: (key: RedisArg) => R<Option.Option<string>>
  readonly getBuffer: (key: RedisArg) => R<Option.Option<Buffer>>
  /** True when the value was set (false when NX/XX prevented it). */
  readonly set: (key: RedisArg, value: RedisArg, options?: SetOptions) => R<boolean>
  readonly getdel: (key: RedisArg) => R<Option.Option<string>>
  readonly append: (key: RedisArg, value: RedisArg) => R<number>
  readonly strlen: (key: RedisArg) => R<number>
  readonly del: (...keys: ReadonlyArray<RedisArg>) => R<number>
  readonly exists: (...keys: ReadonlyArray<RedisArg>) => R<number>
  /** PEXPIRE: true when the key exists and got the time to live. */
  readonly expire: (key: RedisArg, ttl: Duration.Input) => R<boolean>
  readonly persist: (key: RedisArg) => R<boolean>
  /** Seconds left: -1 without a time to live, -2 when the key does not exist (as Redis answers). */
  readonly ttl: (key: RedisArg) => R<number>
  readonly pttl: (key: RedisArg) => R<number>
  readonly type: (key: RedisArg) => R<string>
  readonly keys: (pattern: RedisArg) => R<Array<string>>
  readonly rename: (key: RedisArg, newKey: RedisArg) => R<void>
  readonly incr: (key: RedisArg) => R<number>
  readonly incrby: (key: RedisArg, increment: number | bigint) => R<number>
  readonly incrbyfloat: (key: RedisArg, increment: number) => R<number>
  readonly decr: (key: RedisArg) => R<number>
  readonly decrby: (key: RedisArg, decrement: number | bigint) => R<number>
  readonly mget: (...keys: ReadonlyArray<RedisArg>) => R<Array<Option.Option<string>>>
  readonly mset: (entries: Readonly<Record<string, RedisArg>> | Iterable<readonly [RedisArg, RedisArg]>) => R<void>
  readonly dbsize: R<number>
  readonly flushdb: R<void>
  readonly flushall: R<void>
  readonly select: (db: number) => R<void>
  /** The number of clients that received the message. */
  readonly publish: (channel: RedisArg, message: RedisArg) => R<number>
  readonly hset: (key: RedisArg, fields: Readonly<Record<string, RedisArg>>) => R<number>
  readonly hget: (key: RedisArg, field: RedisArg) => R<Option.Option<string>>
  readonly hgetall: (key: RedisArg) => R<Record<string, string>>
  readonly hdel: (key: RedisArg, ...fields: ReadonlyArray<RedisArg>) => R<number>
  readonly hincrby: (key: RedisArg, field: RedisArg, increment: number) => R<number>
  readonly lpush: (key: RedisArg, ...values: ReadonlyArray<RedisArg>) => R<number>
  readonly rpush: (key: RedisArg, ...values: ReadonlyArray<RedisArg>) => R<number>
  readonly lpop: (key: RedisArg) => R<Option.Option<string>>
  readonly rpop: (key: RedisArg) => R<Option.Option<string>>
  readonly lrange: (key: RedisArg, start: number, stop: number) => R<Array<string>>
  readonly llen: (key: RedisArg) => R<number>
  readonly sadd: (key: RedisArg, ...members: ReadonlyArray<RedisArg>) => R<number>
  readonly srem: (key: RedisArg, ...members: ReadonlyArray<RedisArg>) => R<number>
  readonly smembers: (key: RedisArg) => R<Array<string>>
  readonly sismember: (key: RedisArg, member: RedisArg) => R<boolean>
  /**
   * Subscribes on a dedicated connection. Succeeds once the server confirmed every channel, with
   * the stream of messages; closing the scope unsubscribes and closes that connection.
   */
  readonly subscribe: (
    channels: ReadonlyArray<string>
  ) => Effect.Effect<Stream.Stream<Message, RedisConnectionError>, RedisError, Scope.Scope>
  /** As `subscribe`, for Redis glob patterns (PSUBSCRIBE). */
  readonly psubscribe: (
    patterns: ReadonlyArray<string>
  ) => Effect.Effect<Stream.Stream<PatternMessage, RedisConnectionError>, RedisError, Scope.Scope>
}

export const resolveConnectionOptions = (config: RedisClientConfig): ConnectionOptions => ({
  host: config.host ?? "127.0.0.1",
  port: config.port ?? 6379,
  username: config.username,
  password: config.password,
  db: config.db ?? 0,
  connectTimeout: config.connectTimeout ?? Duration.seconds(10),
  reconnect: config.reconnect ?? defaultReconnectSchedule,
  textEncoding: config.textEncoding ?? "utf8"
})

/** An argument as lower-case text when it is short enough to be a command name or keyword, else "". */
const keyword = (arg: RedisArg | undefined): string =>
  typeof arg === "string"
    ? (arg.length <= 16 ? arg.toLowerCase() : "")
    : arg instanceof Uint8Array && arg.length <= 16
    ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength).latin1Slice().toLowerCase()
    : ""

const argText = (arg: RedisArg): string =>
  arg instanceof Uint8Array ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength).toString("utf8") : String(arg)

/** Commands that would take the shared connection out of request/reply order. */
const refusal = (args: ReadonlyArray<RedisArg>): string | undefined => {
  const name = keyword(args[0])
  switch (name) {
    case "subscribe":
    case "psubscribe":
    case "ssubscribe":
      return `${name.toUpperCase()} needs its own connection: use RedisClient.subscribe / psubscribe`
    case "monitor":
    case "sync":
    case "psync":
      return `${name.toUpperCase()} turns the connection into a stream and is not supported by the client`
    case "client":
      return keyword(args[1]) === "reply"
        ? "CLIENT REPLY would break the order of replies and is not supported by the client"
        : undefined
    case "hello":
      return args.length > 1 && argText(args[1]) !== "2" ? "the client speaks RESP2 only (HELLO 2)" : undefined
    default:
      return undefined
  }
}

/** For SELECT, AUTH and HELLO ... AUTH: on success, the session a reconnect restores changes with them. */
const trackSession = (args: ReadonlyArray<RedisArg>, session: Session): ((reply: RespValue) => void) | undefined => {
  const name = keyword(args[0])
  if (name === "select" && args.length === 2) {
    return (reply) => {
      if (reply === "OK") session.db = Number(argText(args[1]))
    }
  }
  if (name === "auth" && (args.length === 2 || args.length === 3)) {
    return (reply) => {
      if (reply !== "OK") return
      session.username = args.length === 3 ? argText(args[1]) : undefined
      session.password = argText(args[args.length - 1])
    }
  }
  if (name === "hello") {
    const auth = args.findIndex((arg, i) => i >= 2 && keyword(arg) === "auth")
    if (auth > 0 && auth + 2 < args.length) {
      return (reply) => {
        if (!Array.isArray(reply)) return
        session.username = argText(args[auth + 1])
        session.password = argText(args[auth + 2])
      }
    }
  }
  return undefined
}

const setArgs = (key: RedisArg, value: RedisArg, options: SetOptions | undefined): Array<RedisArg> => {
  const args: Array<RedisArg> = ["SET", key, value]
  if (options === undefined) return args
  if (options.ttl !== undefined) args.push("PX", Math.max(1, Math.round(Duration.toMillis(options.ttl))))
  if (options.expiresAt !== undefined) {
    args.push("PXAT", typeof options.expiresAt === "number" ? options.expiresAt : options.expiresAt.getTime())
  }
  if (options.keepTtl === true) args.push("KEEPTTL")
  if (options.condition !== undefined) args.push(options.condition)
  return args
}

const msetArgs = (entries: Readonly<Record<string, RedisArg>> | Iterable<readonly [RedisArg, RedisArg]>) => {
  const args: Array<RedisArg> = ["MSET"]
  const pairs = Symbol.iterator in entries
    ? (entries as Iterable<readonly [RedisArg, RedisArg]>)
    : Object.entries(entries as Record<string, RedisArg>)
  for (const [key, value] of pairs) args.push(key, value)
  return args
}

const text = (reply: RespValue) => (Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply))

const make = (
  config: RedisClientConfig = {},
  open?: Effect.Effect<net.Socket, RedisConnectionError>
): Effect.Effect<RedisClientService, RedisConnectionError, Scope.Scope> =>
  Effect.gen(function*() {
    const options = { ...resolveConnectionOptions(config), open }
    const connection = yield* CommandConnection.make(options)
    const session = connection.session

    const command = (...args: ReadonlyArray<RedisArg>): R<RespValue> => {
      const refused = refusal(args)
      if (refused !== undefined) return Effect.die(new Error(`redfiber client: ${refused}`))
      return connection.send(args, trackSession(args, session))
    }
    const run = <A>(decode: (reply: RespValue) => A, ...args: ReadonlyArray<RedisArg>): R<A> =>
      Effect.map(connection.send(args), decode)

    const pushes = (kind: SubscriptionKind, names: ReadonlyArray<string>) =>
      Effect.map(
        Subscriber.make({ ...options, ...session }, kind, names),
        (subscriber) => subscriber.pushes
      )

    const service: RedisClientService = {
      command,
      connected: Effect.sync(() => connection.connected),
      session,
      ping: (message) => (message === undefined ? run(asText, "PING") : run(asText, "PING", message)),
      echo: (message) => run(asText, "ECHO", message),
      get: (key) => run(asOptionalText, "GET", key),
      getBuffer: (key) => run(asOptionalBuffer, "GET", key),
      set: (key, value, setOptions) => run((reply) => reply === "OK", ...setArgs(key, value, setOptions)),
      getdel: (key) => run(asOptionalText, "GETDEL", key),
      append: (key, value) => run(asNumber, "APPEND", key, value),
      strlen: (key) => run(asNumber, "STRLEN", key),
      del: (...keys) => run(asNumber, "DEL", ...keys),
      exists: (...keys) => run(asNumber, "EXISTS", ...keys),
      expire: (key, ttl) => run(asBoolean, "PEXPIRE", key, Math.round(Duration.toMillis(ttl))),
      persist: (key) => run(asBoolean, "PERSIST", key),
      ttl: (key) => run(asNumber, "TTL", key),
      pttl: (key) => run(asNumber, "PTTL", key),
      type: (key) => run(asText, "TYPE", key),
      keys: (pattern) => run(asTextArray, "KEYS", pattern),
      rename: (key, newKey) => run(asOk, "RENAME", key, newKey),
      incr: (key) => run(asNumber, "INCR", key),
      incrby: (key, increment) => run(asNumber, "INCRBY", key, increment),
      incrbyfloat: (key, increment) => run(asFloat, "INCRBYFLOAT", key, increment),
      decr: (key) => run(asNumber, "DECR", key),
      decrby: (key, decrement) => run(asNumber, "DECRBY", key, decrement),
      mget: (...keys) => run(asOptionalTextArray, "MGET", ...keys),
      mset: (entries) => run(asOk, ...msetArgs(entries)),
      dbsize: run(asNumber, "DBSIZE"),
      flushdb: run(asOk, "FLUSHDB"),
      flushall: run(asOk, "FLUSHALL"),
      select: (db) => Effect.asVoid(command("SELECT", db)),
      publish: (channel, message) => run(asNumber, "PUBLISH", channel, message),
      hset: (key, fields) => run(asNumber, "HSET", key, ...Object.entries(fields).flat()),
      hget: (key, field) => run(asOptionalText, "HGET", key, field),
      hgetall: (key) => run(asRecord, "HGETALL", key),
      hdel: (key, ...fields) => run(asNumber, "HDEL", key, ...fields),
      hincrby: (key, field, increment) => run(asNumber, "HINCRBY", key, field, increment),
      lpush: (key, ...values) => run(asNumber, "LPUSH", key, ...values),
      rpush: (key, ...values) => run(asNumber, "RPUSH", key, ...values),
      lpop: (key) => run(asOptionalText, "LPOP", key),
      rpop: (key) => run(asOptionalText, "RPOP", key),
      lrange: (key, start, stop) => run(asTextArray, "LRANGE", key, start, stop),
      llen: (key) => run(asNumber, "LLEN", key),
      sadd: (key, ...members) => run(asNumber, "SADD", key, ...members),
      srem: (key, ...members) => run(asNumber, "SREM", key, ...members),
      smembers: (key) => run(asTextArray, "SMEMBERS", key),
      sismember: (key, member) => run(asBoolean, "SISMEMBER", key, member),
      subscribe: (channels) =>
        Effect.map(pushes("subscribe", channels), (stream) =>
          Stream.filterMap(stream, (push) => {
            if (pushKind(push) !== "message") return Result.fail(push)
            const [, channel, message] = asArray(push)
            return Result.succeed({ channel: text(channel), message: text(message) })
          })),
      psubscribe: (patterns) =>
        Effect.map(pushes("psubscribe", patterns), (stream) =>
          Stream.filterMap(stream, (push) => {
            if (pushKind(push) !== "pmessage") return Result.fail(push)
            const [, pattern, channel, message] = asArray(push)
            return Result.succeed({ pattern: text(pattern), channel: text(channel), message: text(message) })
          }))
    }
    return service
  })

export class RedisClient extends Context.Service<RedisClient, RedisClientService>()("redfiber/RedisClient") {
  /** A client for as long as the scope lasts (the connection is made now; failing fast if it cannot be). */
  static readonly make = make
  static readonly layer = (config: RedisClientConfig = {}): Layer.Layer<RedisClient, RedisConnectionError> =>
    Layer.effect(RedisClient, make(config))
  /**
   * The same client over connections that `open` makes instead of TCP (`host` and `port` are then
   * only names in error messages): what `InProcessClient.layer` builds on.
   */
  static readonly layerWithConnector = (
    open: Effect.Effect<net.Socket, RedisConnectionError>,
    config: RedisClientConfig = {}
  ): Layer.Layer<RedisClient, RedisConnectionError> => Layer.effect(RedisClient, make(config, open))
}
