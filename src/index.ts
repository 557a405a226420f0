/**
 * redfiber's public API: the server as a Layer, the `Db` service over the same keyspace, the
 * configuration schema, and the Effect client (`RedisClient`) for redfiber or any Redis.
 */
export { Db, type DbOptions, type SetOptions, toByteString } from "./keyspace/Db.js"
export { PersistenceError } from "./persistence/Persistence.js"
export { type DrainSummary, type EmbeddingOptions, RedisServer, type RedisServerService, ServerError } from "./server/RedisServer.js"
export {
  decodeServerConfig,
  makeServerConfig,
  type ServerConfig,
  type ServerConfigInput,
  ServerConfigSchema
} from "./config/ServerConfig.js"
export {
  type Message,
  type PatternMessage,
  RedisClient,
  type RedisClientConfig,
  type RedisClientService,
  type SetOptions as ClientSetOptions
} from "./client/RedisClient.js"
export * as InProcessClient from "./embedding/InProcessClient.js"
export { defaultReconnectSchedule } from "./client/CommandConnection.js"
export { type ConnectionErrorReason, RedisConnectionError, type RedisError, RedisReplyError } from "./client/errors.js"
export { type RedisArg, type RespValue } from "./client/RespValue.js"
export { ReplyParser, RespProtocolError } from "./client/ReplyParser.js"
