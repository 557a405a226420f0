/**
 * The geo command family (Redis's "geo" group): positions kept in sorted sets, each member's
 * score its 52-bit geohash. GEOADD, GEODIST, GEOHASH and GEOPOS in geo/points.ts; the searches
 * (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS*) in geo/radius.ts over geo/search.ts; the geohash
 * arithmetic in geo/geohash.ts, number printing in geo/format.ts, arguments in geo/arguments.ts.
 */
import type { CommandSpec } from "./Command.js"
import { pointCommands } from "./geo/points.js"
import { radiusCommands } from "./geo/radius.js"

export const geoCommands: ReadonlyArray<CommandSpec> = [...pointCommands, ...radiusCommands]
