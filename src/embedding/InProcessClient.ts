/**
 * `RedisClient` for an embedded server, without TCP: the same service (`RedisClient`) an app uses
 * against redfiber or any Redis over the network, here speaking to the server of the same process
 * over in-memory connections (LocalSocket.ts). Every call goes through the server's connection
 * handling and command table, so replies, keyspace notifications, ACL, maxmemory and the AOF are
 * those a TCP client gets — and an app written against `RedisClient` swaps Layers in its tests:
 *
 *     const inProcess = InProcessClient.layerWithServer({ port: 0 })   // TestClock works over it
 *     const overTcp = RedisClient.layer({ port: 6379 })                // redfiber or a real Redis
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RedisClient, type RedisClientConfig } from "../client/RedisClient.js"
import type { RedisConnectionError } from "../client/errors.js"
import type { ServerConfigInput } from "../config/ServerConfig.js"
import type { Db } from "../keyspace/Db.js"
import { type EmbeddingOptions, RedisServer, type ServerError } from "../server/RedisServer.js"
import type { PersistenceError } from "../persistence/Persistence.js"

/** Client options that make sense without a network: credentials, database, text decoding, reconnects. */
export type InProcessClientConfig = Omit<RedisClientConfig, "host" | "port" | "connectTimeout">

/** A `RedisClient` connected to the `RedisServer` of the context. */
export const layer = (config: InProcessClientConfig = {}): Layer.Layer<RedisClient, RedisConnectionError, RedisServer> =>
  Layer.unwrap(
    Effect.map(RedisServer, (server) =>
      RedisClient.layerWithConnector(server.connectLocal, { ...config, host: "in-process", port: server.address.port }))
  )

/** A server (and its `Db`) with an in-process `RedisClient`: what an app's tests usually want. */
export const layerWithServer = (
  serverConfig: ServerConfigInput = {},
  clientConfig: InProcessClientConfig = {},
  embedding: EmbeddingOptions = {}
): Layer.Layer<RedisClient | RedisServer | Db, RedisConnectionError | ServerError | PersistenceError> =>
  layer(clientConfig).pipe(Layer.provideMerge(RedisServer.layerWithDb(serverConfig, embedding)))
