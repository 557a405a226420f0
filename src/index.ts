/**
 * redfiber's public API: the server as a Layer, the `Db` service over the same keyspace, and the
 * configuration schema.
 */
export { Db, type DbOptions, type SetOptions, toByteString } from "./keyspace/Db.js"
export { type DrainSummary, RedisServer, type RedisServerService, ServerError } from "./server/RedisServer.js"
export {
  makeServerConfig,
  type ServerConfig,
  type ServerConfigInput,
  ServerConfigSchema
} from "./config/ServerConfig.js"
