/**
 * GEOADD (a ZADD of geohash scores, logged as that ZADD), GEODIST, GEOHASH and GEOPOS.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { ERR_SYNTAX } from "../../protocol/arguments.js"
import { type CommandSpec, propagateAs } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { ZADD_CH, ZADD_NX, ZADD_XX, zaddScored } from "../zsets/add.js"
import { readZset } from "../zsets/shared.js"
import { geoCommand, lonLat, optionIs, unitOf } from "./arguments.js"
import { printCoordinate, printDistance } from "./format.js"
import { distance, encode, interleave, positionOfScore, scoreOf, STEP_MAX } from "./geohash.js"

/** The geohashes of the GEOADD being run (reused). */
const scores: Array<number> = []

const geoadd = geoCommand({
  name: "geoadd",
  arity: -5,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Add one or more geospatial items in the geospatial index represented using a sorted set",
  since: "3.2.0",
  complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
  run: (ctx, argv) => {
    let first = 2
    let flags = 0
    for (; first < argv.length; first++) {
      const option = argv[first]
      if (optionIs(option, "nx")) flags |= ZADD_NX
      else if (optionIs(option, "xx")) flags |= ZADD_XX
      else if (optionIs(option, "ch")) flags |= ZADD_CH
      else break
    }
    const elements = (argv.length - first) / 3
    // No element left is ZADD's syntax error, as Redis hands the command to ZADD.
    if (!Number.isInteger(elements) || elements === 0 || (flags & (ZADD_NX | ZADD_XX)) === (ZADD_NX | ZADD_XX)) {
      return ctx.out.error(ERR_SYNTAX)
    }
    for (let j = 0; j < elements; j++) {
      const position = lonLat(argv, first + j * 3)
      if (typeof position === "string") return ctx.out.error(position)
      scores[j] = scoreOf(position[0], position[1])
    }
    const dirty = ctx.keyspace.stats.dirty
    zaddScored(ctx, argv[1], flags, elements, argv, first + 2, 3, scores)
    // Replicas and the AOF see a ZADD, as Redis rewrites the command into one.
    if (ctx.keyspace.commandLog.enabled && ctx.keyspace.stats.dirty !== dirty) {
      const zadd = ["zadd"]
      for (let i = 1; i < first; i++) zadd.push(argv[i])
      for (let j = 0; j < elements; j++) zadd.push(String(scores[j]), argv[first + j * 3 + 2])
      propagateAs(ctx, zadd)
    }
    if (elements > 1024) scores.length = 0
  }
})

const geodist = geoCommand({
  name: "geodist",
  arity: -4,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Returns the distance between two members of a geospatial index",
  since: "3.2.0",
  complexity: "O(log(N))",
  run: (ctx, argv) => {
    let toMeters = 1
    if (argv.length === 5) {
      const unit = unitOf(argv[4])
      if (typeof unit === "string") return ctx.out.error(unit)
      toMeters = unit
    } else if (argv.length > 5) {
      return ctx.out.error(ERR_SYNTAX)
    }
    const zset = readZset(ctx, argv[1])
    if (zset === undefined) return ctx.out.nullBulk()
    if (zset === null) return ctx.out.error(WRONGTYPE)
    const score1 = zset.scores.get(argv[2])
    const score2 = zset.scores.get(argv[3])
    if (score1 === undefined || score2 === undefined) return ctx.out.nullBulk()
    const a: [number, number] = [0, 0]
    const b: [number, number] = [0, 0]
    positionOfScore(score1, a)
    positionOfScore(score2, b)
    ctx.out.bulk(printDistance(distance(a[0], a[1], b[0], b[1]) / toMeters))
  }
})

const GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"

/** A position as the standard 11-character geohash (latitude over -90..90; the 11th is '0'). */
const standardGeohash = (lon: number, lat: number): string | undefined => {
  const cell = encode(lon, lat, STEP_MAX, -90, 90)
  if (cell === undefined) return undefined
  const bits = interleave(cell.lat, cell.lon)
  let text = ""
  for (let i = 0; i < 10; i++) {
    const shift = 2 ** (52 - (i + 1) * 5)
    text += GEOHASH_ALPHABET[Math.floor(bits / shift) % 32]
  }
  return text + "0"
}

const geohash = geoCommand({
  name: "geohash",
  arity: -2,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Returns members of a geospatial index as standard geohash strings",
  since: "3.2.0",
  complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
  run: (ctx, argv) => {
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    ctx.out.arrayHeader(argv.length - 2)
    const position: [number, number] = [0, 0]
    for (let i = 2; i < argv.length; i++) {
      const score = zset?.scores.get(argv[i])
      if (score === undefined) {
        ctx.out.nullBulk()
        continue
      }
      positionOfScore(score, position)
      ctx.out.bulkOrNull(standardGeohash(position[0], position[1]))
    }
  }
})

const geopos = geoCommand({
  name: "geopos",
  arity: -2,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Returns longitude and latitude of members of a geospatial index",
  since: "3.2.0",
  complexity: "O(N) where N is the number of members requested.",
  run: (ctx, argv) => {
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    ctx.out.arrayHeader(argv.length - 2)
    const position: [number, number] = [0, 0]
    for (let i = 2; i < argv.length; i++) {
      const score = zset?.scores.get(argv[i])
      if (score === undefined) {
        ctx.out.nullArray()
        continue
      }
      positionOfScore(score, position)
      ctx.out.arrayHeader(2)
      ctx.out.double(printCoordinate(position[0]))
      ctx.out.double(printCoordinate(position[1]))
    }
  }
})

export const pointCommands: ReadonlyArray<CommandSpec> = [geoadd, geodist, geohash, geopos]
