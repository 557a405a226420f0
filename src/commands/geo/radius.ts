/**
 * The searches: GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS, GEORADIUSBYMEMBER (with
 * STORE / STOREDIST) and their _RO forms. One parser for all, as Redis's `georadiusGeneric`:
 * the same order of checks, so each bad command line gets the same error first. A store
 * writes a sorted set of the results (scores: geohashes, or distances in the unit with
 * STOREDIST) or deletes the destination when there is none.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInteger } from "../../protocol/arguments.js"
import { deprecated, type CommandContext, type CommandSpec, storeResultAt } from "../Command.js"
import { keyAfterKeyword, keyAt } from "../../protocol/key-specs.js"
import { partialSort } from "../partial-sort.js"
import { readZset } from "../zsets/shared.js"
import { boxArgument, geoCommand, lonLat, optionIs, radiusArgument } from "./arguments.js"
import { printCoordinate, printDistance } from "./format.js"
import { positionOfScore } from "./geohash.js"
import { type Found, searchShape, type Shape } from "./search.js"

/** Which command runs (Redis's flags). */
const RADIUS_COORDS = 1
const RADIUS_MEMBER = 2
const NOSTORE = 4
const GEOSEARCH = 8
const GEOSEARCHSTORE = 16

const SORT_NONE = 0
const SORT_ASC = 1
const SORT_DESC = 2

const byDistanceAscending = (a: Found, b: Found): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1)
const byDistanceDescending = (a: Found, b: Found): number => (a.dist < b.dist ? 1 : a.dist === b.dist ? 0 : -1)

const search = (ctx: CommandContext, argv: ReadonlyArray<string>, sourceIndex: number, flags: number): void => {
  const out = ctx.out
  const zset = readZset(ctx, argv[sourceIndex])
  if (zset === null) return out.error(WRONGTYPE)
  let storeKey: string | undefined
  let storeDist = false
  const shape: Shape = { lon: 0, lat: 0, circle: true, radius: 0, width: 0, height: 0, conversion: 0 }
  let base: number
  if ((flags & RADIUS_COORDS) !== 0) {
    base = 6
    const centre = lonLat(argv, 2)
    if (typeof centre === "string") return out.error(centre)
    ;[shape.lon, shape.lat] = centre
    const radius = radiusArgument(argv, 4)
    if (typeof radius === "string") return out.error(radius)
    ;[shape.radius, shape.conversion] = radius
  } else if ((flags & RADIUS_MEMBER) !== 0) {
    base = 5
    // Without the key there is nothing to decode, but the options are still read.
    if (zset !== undefined) {
      const score = zset.scores.get(argv[2])
      if (score === undefined) return out.error("ERR could not decode requested zset member")
      const position: [number, number] = [0, 0]
      positionOfScore(score, position)
      ;[shape.lon, shape.lat] = position
      const radius = radiusArgument(argv, 3)
      if (typeof radius === "string") return out.error(radius)
      ;[shape.radius, shape.conversion] = radius
    }
  } else {
    base = 2
    if ((flags & GEOSEARCHSTORE) !== 0) {
      base = 3
      storeKey = argv[1]
    }
  }

  let withDist = false
  let withHash = false
  let withCoords = false
  let fromMember = false
  let fromLonLat = false
  let byRadius = false
  let byBox = false
  let sort = SORT_NONE
  let any = false
  let count = 0
  const remaining = argv.length - base
  const isSearch = (flags & GEOSEARCH) !== 0
  const storeAllowed = (flags & NOSTORE) === 0 && !isSearch
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i]
    if (optionIs(arg, "withdist")) withDist = true
    else if (optionIs(arg, "withhash")) withHash = true
    else if (optionIs(arg, "withcoord")) withCoords = true
    else if (optionIs(arg, "any")) any = true
    else if (optionIs(arg, "asc")) sort = SORT_ASC
    else if (optionIs(arg, "desc")) sort = SORT_DESC
    else if (optionIs(arg, "count") && i + 1 < remaining) {
      const value = parseInteger(argv[base + i + 1])
      if (value === undefined) return out.error(ERR_NOT_INTEGER)
      if (value <= 0) return out.error("ERR COUNT must be > 0")
      count = typeof value === "bigint" ? Number.MAX_SAFE_INTEGER : value
      i++
    } else if (optionIs(arg, "store") && i + 1 < remaining && storeAllowed) {
      storeKey = argv[base + i + 1]
      storeDist = false
      i++
    } else if (optionIs(arg, "storedist") && i + 1 < remaining && storeAllowed) {
      storeKey = argv[base + i + 1]
      storeDist = true
      i++
    } else if (optionIs(arg, "storedist") && isSearch && (flags & GEOSEARCHSTORE) !== 0) {
      storeDist = true
    } else if (optionIs(arg, "frommember") && i + 1 < remaining && isSearch && !fromLonLat) {
      if (zset !== undefined) {
        const score = zset.scores.get(argv[base + i + 1])
        if (score === undefined) return out.error("ERR could not decode requested zset member")
        const position: [number, number] = [0, 0]
        positionOfScore(score, position)
        ;[shape.lon, shape.lat] = position
      }
      fromMember = true
      i++
    } else if (optionIs(arg, "fromlonlat") && i + 2 < remaining && isSearch && !fromMember) {
      const centre = lonLat(argv, base + i + 1)
      if (typeof centre === "string") return out.error(centre)
      ;[shape.lon, shape.lat] = centre
      fromLonLat = true
      i += 2
    } else if (optionIs(arg, "byradius") && i + 2 < remaining && isSearch && !byBox) {
      const radius = radiusArgument(argv, base + i + 1)
      if (typeof radius === "string") return out.error(radius)
      ;[shape.radius, shape.conversion] = radius
      shape.circle = true
      byRadius = true
      i += 2
    } else if (optionIs(arg, "bybox") && i + 3 < remaining && isSearch && !byRadius) {
      const box = boxArgument(argv, base + i + 1)
      if (typeof box === "string") return out.error(box)
      ;[shape.width, shape.height, shape.conversion] = box
      shape.circle = false
      byBox = true
      i += 3
    } else {
      return out.error(ERR_SYNTAX)
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    const what = (flags & GEOSEARCHSTORE) !== 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"
    return out.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`)
  }
  if (isSearch && !(fromMember || fromLonLat)) {
    return out.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`)
  }
  if (isSearch && !(byRadius || byBox)) {
    return out.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`)
  }
  if (any && count === 0) return out.error("ERR the ANY argument requires COUNT argument")

  if (zset === undefined) {
    if (storeKey === undefined) return out.arrayHeader(0)
    deleteAndNotify(ctx, storeKey)
    return out.integer(0)
  }

  // COUNT keeps the nearest: it sorts unless ANY asked for the first ones found.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC
  const found = searchShape(zset, shape, any ? count : 0)
  if (found.length === 0 && storeKey === undefined) return out.arrayHeader(0)
  const returned = count === 0 || found.length < count ? found.length : count
  if (sort !== SORT_NONE) {
    const compare = sort === SORT_ASC ? byDistanceAscending : byDistanceDescending
    // Keeping fewer than found, Redis sorts partially (not stably: ties show it).
    if (returned === found.length) sortFound(found, compare)
    else partialSort(found, compare, 0, returned - 1)
  }
  const conversion = shape.conversion

  if (storeKey === undefined) {
    const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0)
    out.arrayHeader(returned)
    for (let i = 0; i < returned; i++) {
      const point = found[i]
      if (options !== 0) out.arrayHeader(options + 1)
      out.bulk(point.member)
      if (withDist) out.bulk(printDistance(point.dist / conversion))
      // The member's score as Redis's addReplyLongLong of the double gives it (a plain sorted
      // set's score may have a fraction).
      if (withHash) out.integer(Math.trunc(point.score))
      if (withCoords) {
        out.arrayHeader(2)
        out.double(printCoordinate(point.lon))
        out.double(printCoordinate(point.lat))
      }
    }
    return
  }

  if (returned === 0) {
    deleteAndNotify(ctx, storeKey)
    return out.integer(0)
  }
  const stored = found.slice(0, returned).map((point) => ({
    member: point.member,
    score: storeDist ? point.dist / conversion : point.score
  }))
  stored.sort((a, b) => (a.score !== b.score ? a.score - b.score : a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
  const scores: Array<number> = []
  const members: Array<string> = []
  for (let i = 0; i < stored.length; i++) {
    // A member met twice (neighbouring cells that coincide) is stored once.
    if (i > 0 && stored[i].member === stored[i - 1].member) continue
    scores.push(stored[i].score)
    members.push(stored[i].member)
  }
  storeResultAt(ctx, storeKey, SortedSetValue.fromSorted(scores, members, ctx.server.config))
  notify(ctx, NotifyType.Zset, isSearch ? "geosearchstore" : "georadiusstore", storeKey)
  out.integer(returned)
}

/**
 * Sorts the results stably: a few by insertion, in place (Array.prototype.sort's set-up costs
 * more than sorting the dozen a small radius finds), more by the built-in sort.
 */
const sortFound = (found: Array<Found>, compare: (a: Found, b: Found) => number): void => {
  if (found.length > 32) {
    found.sort(compare)
    return
  }
  for (let i = 1; i < found.length; i++) {
    const item = found[i]
    let j = i - 1
    while (j >= 0 && compare(found[j], item) > 0) {
      found[j + 1] = found[j]
      j--
    }
    found[j + 1] = item
  }
}

const COMPLEXITY_RADIUS =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."
const COMPLEXITY_SEARCH =
  "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"

const georadius = geoCommand({
  name: "georadius",
  ...deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
  arity: -6,
  flags: ["write", "denyoom", "movablekeys"],
  keySpecs: [keyAt(1, "RO", "access"), keyAfterKeyword("STORE", 6, "OW", "update"), keyAfterKeyword("STOREDIST", 6, "OW", "update")],
  summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
  since: "3.2.0",
  complexity: COMPLEXITY_RADIUS,
  run: (ctx, argv) => search(ctx, argv, 1, RADIUS_COORDS)
})

const georadiusRo = geoCommand({
  name: "georadius_ro",
  ...deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` argument"),
  arity: -6,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "A read-only variant for GEORADIUS",
  since: "3.2.10",
  complexity: COMPLEXITY_RADIUS,
  run: (ctx, argv) => search(ctx, argv, 1, RADIUS_COORDS | NOSTORE)
})

const georadiusbymember = geoCommand({
  name: "georadiusbymember",
  ...deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
  arity: -5,
  flags: ["write", "denyoom", "movablekeys"],
  keySpecs: [keyAt(1, "RO", "access"), keyAfterKeyword("STORE", 5, "OW", "update"), keyAfterKeyword("STOREDIST", 5, "OW", "update")],
  summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
  since: "3.2.0",
  complexity: COMPLEXITY_RADIUS,
  run: (ctx, argv) => search(ctx, argv, 1, RADIUS_MEMBER)
})

const georadiusbymemberRo = geoCommand({
  name: "georadiusbymember_ro",
  ...deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
  arity: -5,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "A read-only variant for GEORADIUSBYMEMBER",
  since: "3.2.10",
  complexity: COMPLEXITY_RADIUS,
  run: (ctx, argv) => search(ctx, argv, 1, RADIUS_MEMBER | NOSTORE)
})

const geosearch = geoCommand({
  name: "geosearch",
  arity: -7,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
  since: "6.2.0",
  complexity: COMPLEXITY_SEARCH,
  run: (ctx, argv) => search(ctx, argv, 1, GEOSEARCH)
})

const geosearchstore = geoCommand({
  name: "geosearchstore",
  arity: -8,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(1, "OW", "update"), keyAt(2, "RO", "access")],
  summary:
    "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
  since: "6.2.0",
  complexity: COMPLEXITY_SEARCH,
  run: (ctx, argv) => search(ctx, argv, 2, GEOSEARCH | GEOSEARCHSTORE)
})

export const radiusCommands: ReadonlyArray<CommandSpec> = [
  georadius,
  georadiusRo,
  georadiusbymember,
  georadiusbymemberRo,
  geosearch,
  geosearchstore
]
