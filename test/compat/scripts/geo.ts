/**
 * Hand-written differential scripts for the geo commands: GEOADD's options and coordinate
 * checks, the scores (52-bit geohashes), GEOPOS / GEOHASH / GEODIST digits, and searches by
 * radius and box around the globe — poles, the antimeridian, radius 0, radii larger than the
 * Earth — in every unit, sorted or in the order cells are scanned (unsorted replies show that
 * order, so they compare exactly), with COUNT [ANY], WITH* options, the STORE forms, errors in
 * Redis's order, key finding, and the keyspace events of each write.
 */
import { collect, other, type Script, type Step } from "../compare.js"
import { ALL_BYTES, AWKWARD_BYTES } from "../values.js"

/** A deterministic spread of points over the whole supported range (a small LCG). */
const scatter = (count: number, seed: number): Array<string> => {
  let state = seed
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
  const args: Array<string> = []
  for (let i = 0; i < count; i++) {
    const lon = (next() * 360 - 180).toFixed(6)
    const lat = (next() * 170.1 - 85.05).toFixed(6)
    args.push(lon, lat, `p${i}`)
  }
  return args
}

/** Points packed around (lon, lat), within about `spread` degrees. */
const cluster = (count: number, lon: number, lat: number, spread: number, prefix: string): Array<string> => {
  const args: Array<string> = []
  for (let i = 0; i < count; i++) {
    const angle = (i * 2.399963) % (2 * Math.PI)
    const r = (spread * (i + 1)) / count
    const x = Math.max(-180, Math.min(180, lon + r * Math.cos(angle)))
    const y = Math.max(-85.05, Math.min(85.05, lat + r * Math.sin(angle)))
    args.push(x.toFixed(7), y.toFixed(7), `${prefix}${i}`)
  }
  return args
}

/** A small LCG in [0, 1), for reproducible spreads. */
const lcg = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

/** 1000 members (chunk `chunk` of a set) spread over a 2° x 2° square around Paris. */
const denseSquare = (count: number, chunk: number): Array<string> => {
  const next = lcg(12345 + chunk)
  return Array.from({ length: count }, (_, i) => [
    (1.35 + 2 * next()).toFixed(6),
    (47.85 + 2 * next()).toFixed(6),
    `m${chunk}:${i}`
  ]).flat()
}

/** Circles and boxes of random sizes at random centres over that square. */
const randomSearches = (key: string, count: number): Array<Array<string>> => {
  const next = lcg(99)
  return Array.from({ length: count }, (_, i) => {
    const lon = (1.3 + 2.1 * next()).toFixed(5)
    const lat = (47.8 + 2.1 * next()).toFixed(5)
    const unit = ["m", "km", "mi", "ft"][i % 4]
    const size = { m: 40000, km: 40, mi: 25, ft: 130000 }[unit]! * next()
    return i % 2 === 1
      ? ["GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYRADIUS", size.toFixed(3), unit, "WITHDIST", "WITHCOORD", "WITHHASH"]
      : ["GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYBOX", size.toFixed(2), (size * 2 * next()).toFixed(2), unit, "WITHDIST", "ASC"]
  })
}

/** `count` members on 4 points only: many ties in distance. */
const tiedPoints = (count: number): Array<string> =>
  Array.from({ length: count }, (_, i) => [String(10 + (i % 4) * 0.001), String(10 + (i % 2) * 0.0007), `m${(i * 37) % count}`]).flat()

const searches = (key: string, centres: ReadonlyArray<readonly [string, string]>, shapes: ReadonlyArray<ReadonlyArray<string>>): Array<Array<string>> =>
  centres.flatMap(([lon, lat]) =>
    shapes.map((shape) => ["GEOSEARCH", key, "FROMLONLAT", lon, lat, ...shape, "WITHDIST", "WITHHASH", "WITHCOORD"])
  )

const keyspaceEvents = (commands: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<Step> => [
  other("CONFIG", "SET", "notify-keyspace-events", "KEA"),
  collect("PSUBSCRIBE", "__key*__:*"),
  ...commands.map((command) => other(...command)),
  collect("PUNSUBSCRIBE"),
  other("CONFIG", "SET", "notify-keyspace-events", "")
]

export const geoScripts: ReadonlyArray<Script> = [
  {
    name: "GEOADD: options, scores, coordinate limits and errors",
    steps: [
      ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
      ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
      ["GEOADD", "g", "13.361389", "38.115556", "Palermo"],
      ["GEOADD", "g", "CH", "13.5", "38.1", "Palermo", "1", "1", "new"],
      ["GEOADD", "g", "NX", "CH", "0", "0", "Palermo", "2", "2", "new2"],
      ["GEOADD", "g", "XX", "CH", "0", "0", "Palermo", "3", "3", "absent"],
      ["GEOADD", "g", "xx", "nx", "1", "1", "a"],
      ["GEOADD", "g", "ch", "ch", "ch"],
      ["GEOADD", "g", "nx", "xx", "ch"],
      ["GEOADD", "g", "GT", "1", "1", "a"],
      ["GEOADD", "g", "1", "1"],
      ["GEOADD", "g", "1", "1", "a", "2"],
      ["GEOADD", "g", "x", "1", "a"],
      ["GEOADD", "g", "1", "nan", "a"],
      ["GEOADD", "g", "1", " 1", "a"],
      ["GEOADD", "g", "180.000001", "0", "a"],
      ["GEOADD", "g", "-180.0000001", "0", "a"],
      ["GEOADD", "g", "0", "85.05112879", "a"],
      ["GEOADD", "g", "0", "-85.0511288", "a"],
      ["GEOADD", "g", "inf", "0", "a"],
      ["GEOADD", "g", "0", "-inf", "a"],
      ["GEOADD", "g", "1e300", "-1e-300", "a"],
      ["GEOADD", "g", "0.0078125", "90", "a"],
      ["GEOADD", "g", "-0", "100.00000050", "a"],
      ["GEOADD", "g", "1", "1", "ok", "200", "0", "bad"],
      ["ZCARD", "g"],
      ["GEOADD", "g", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "180", "-85.05112878", "se"],
      ["GEOADD", "g", "-180", "85.05112878", "nw", "0", "0", "origin", "-0", "-0", "negzero"],
      ["GEOADD", "g", "0x10", "1e1", "hex", "1.5e-7", "-2.5e-7", "tiny"],
      ["GEOADD", "g", "0", "0", ALL_BYTES, "1", "1", AWKWARD_BYTES, "2", "2", ""],
      ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
      ["OBJECT", "ENCODING", "g"],
      ["SET", "str", "v"],
      ["GEOADD", "str", "1", "1", "a"],
      ["GEOADD", "str", "1", "100", "a"],
      ["GEOADD", "str", "xx", "nx", "1", "1", "a"]
    ]
  },
  {
    name: "GEOPOS, GEOHASH and GEODIST: digits, units, missing members and keys",
    steps: [
      ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
      ["GEOADD", "g", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "origin"],
      ["GEOADD", "g", "-122.27652", "37.805186", "oakland", "139.6917", "35.6895", "tokyo", "-0.1278", "51.5074", "london"],
      ["GEOADD", "g", "179.9999999", "0", "east", "-179.9999999", "0", "west", "0", "85", "north", "0", "-85", "south"],
      ["GEOPOS", "g", "Palermo", "Catania", "ne", "sw", "origin", "oakland", "tokyo", "london", "nope"],
      ["GEOPOS", "g", "east", "west", "north", "south"],
      ["GEOPOS", "g"],
      ["GEOPOS", "missing", "a", "b"],
      ["GEOHASH", "g", "Palermo", "Catania", "ne", "sw", "origin", "oakland", "tokyo", "london", "nope"],
      ["GEOHASH", "g", "east", "west", "north", "south"],
      ["GEOHASH", "missing", "a"],
      ["GEOHASH", "g"],
      ["GEODIST", "g", "Palermo", "Catania"],
      ["GEODIST", "g", "Palermo", "Catania", "m"],
      ["GEODIST", "g", "Palermo", "Catania", "KM"],
      ["GEODIST", "g", "Palermo", "Catania", "Mi"],
      ["GEODIST", "g", "Palermo", "Catania", "ft"],
      ["GEODIST", "g", "Palermo", "Catania", "yd"],
      ["GEODIST", "g", "Palermo", "Catania", "km", "extra"],
      ["GEODIST", "g", "Palermo", "Palermo"],
      ["GEODIST", "g", "east", "west"],
      ["GEODIST", "g", "north", "south", "km"],
      ["GEODIST", "g", "ne", "sw", "mi"],
      ["GEODIST", "g", "ne", "nope"],
      ["GEODIST", "g", "nope", "ne"],
      ["GEODIST", "missing", "a", "b"],
      ["GEODIST", "missing", "a", "b", "parsec"],
      ["GEODIST", "g", "oakland", "tokyo", "km"],
      ["GEODIST", "g", "london", "tokyo", "ft"],
      ["GEODIST", "g", "origin", "north"],
      ["ZADD", "g", "-1", "negative", "1e20", "huge", "3.7", "fraction", "4503599627370495", "top", "inf", "infinite"],
      ["GEOPOS", "g", "negative", "huge", "fraction", "top", "infinite"],
      ["GEOHASH", "g", "negative", "huge", "fraction", "top", "infinite"],
      ["GEODIST", "g", "negative", "huge"],
      ["SET", "str", "v"],
      ["GEOPOS", "str", "a"],
      ["GEOHASH", "str", "a"],
      ["GEODIST", "str", "a", "b"],
      ["GEODIST", "str", "a", "b", "parsec"]
    ]
  },
  {
    name: "GEOSEARCH around the globe: cell order, distances, coordinates and hashes",
    steps: [
      ["GEOADD", "world", ...scatter(300, 42)],
      ["GEOADD", "world", ...cluster(60, 179.95, 10, 0.3, "am")],
      ["GEOADD", "world", ...cluster(60, 0, 84.9, 0.5, "np")],
      ["GEOADD", "world", ...cluster(40, 12, -84.99, 0.2, "sp")],
      ["GEOADD", "world", ...cluster(40, 2.35, 48.85, 0.05, "paris")],
      ...searches(
        "world",
        [["2.35", "48.85"], ["179.99", "10"], ["-179.99", "10"], ["0", "85.05112878"], ["12", "-85"], ["-75", "0"], ["100", "-40"]],
        [
          ["BYRADIUS", "0", "m"],
          ["BYRADIUS", "1", "km"],
          ["BYRADIUS", "25", "km"],
          ["BYRADIUS", "300", "km"],
          ["BYRADIUS", "2000", "km"],
          ["BYRADIUS", "5000", "mi"],
          ["BYBOX", "50", "20", "km"],
          ["BYBOX", "1000", "3000", "km"],
          ["BYBOX", "400000", "400000", "ft"]
        ]
      ),
      ["GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYRADIUS", "25000", "km", "COUNT", "5"],
      ["GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYRADIUS", "50000", "km", "WITHDIST", "DESC", "COUNT", "7"],
      ["GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYRADIUS", "1000000", "km"],
      ["GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYBOX", "40000", "40000", "km", "ASC", "WITHDIST"],
      ["GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYBOX", "0", "0", "km"],
      ["GEOSEARCH", "world", "FROMMEMBER", "paris7", "BYRADIUS", "3", "km", "ASC", "WITHDIST"],
      ["GEOSEARCH", "world", "FROMMEMBER", "paris7", "BYRADIUS", "3", "km", "DESC", "WITHDIST", "COUNT", "4"],
      ["GEOSEARCH", "world", "FROMMEMBER", "paris7", "BYRADIUS", "3", "km", "COUNT", "4", "ANY"],
      ["GEOSEARCH", "world", "FROMMEMBER", "paris7", "BYRADIUS", "3", "km", "COUNT", "4", "ANY", "ASC", "WITHDIST"],
      ["GEOSEARCH", "world", "FROMMEMBER", "am3", "BYBOX", "60", "60", "km", "ASC", "WITHCOORD"],
      ["GEOSEARCH", "world", "FROMMEMBER", "np5", "BYRADIUS", "100", "km", "WITHDIST"],
      ["GEOSEARCH", "world", "FROMMEMBER", "sp5", "BYBOX", "100", "10", "km", "WITHDIST"],
      ["GEOSEARCH", "world", "FROMMEMBER", "p7", "BYRADIUS", "20000", "km", "COUNT", "3", "WITHHASH"],
      ["GEOSEARCH", "world", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "9223372036854775807", "km", "COUNT", "2"],
      ["GEOSEARCH", "world", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "2", "KM", "count", "9223372036854775807", "desc"]
    ]
  },
  {
    name: "GEOSEARCH over 3000 members: 120 random circles and boxes in every unit",
    steps: [
      ...[0, 1, 2].map((chunk) => ["GEOADD", "dense", ...denseSquare(1000, chunk)]),
      ...randomSearches("dense", 120)
    ]
  },
  {
    name: "GEOSEARCH ties: members at one point keep the order they were found in",
    steps: [
      ["GEOADD", "t", "10", "10", "c", "10", "10", "a", "10", "10", "b", "10.001", "10", "far", "10", "10.0005", "mid"],
      ["GEOSEARCH", "t", "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km", "ASC", "WITHDIST"],
      ["GEOSEARCH", "t", "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km", "DESC", "WITHDIST"],
      ["GEOSEARCH", "t", "FROMMEMBER", "far", "BYRADIUS", "1", "km", "ASC"],
      ["GEOSEARCH", "t", "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km"],
      // Fewer kept than found: Redis's partial quicksort, whose order of ties is its own.
      ["GEOADD", "many", ...tiedPoints(120)],
      ...[1, 2, 3, 5, 7, 8, 13, 29, 30, 31, 41, 60, 89, 119, 120, 200].flatMap((count) => [
        ["GEOSEARCH", "many", "FROMLONLAT", "10", "10", "BYRADIUS", "5", "km", "COUNT", String(count)],
        ["GEOSEARCH", "many", "FROMLONLAT", "10", "10", "BYRADIUS", "5", "km", "COUNT", String(count), "DESC", "WITHDIST"]
      ]),
      ["GEOSEARCHSTORE", "d", "many", "FROMLONLAT", "10", "10", "BYRADIUS", "5", "km", "COUNT", "41", "STOREDIST"],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"]
    ]
  },
  {
    name: "GEOSEARCH errors, in Redis's order",
    steps: [
      ["GEOADD", "g", "1", "1", "a", "2", "2", "b"],
      ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "FROMMEMBER", "a"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "g", "BYRADIUS", "1", "km", "ASC"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "ASC", "WITHDIST"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "ANY"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "0"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "-1"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "1.5"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "-1", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "one", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "lightyear"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "-1", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "w", "1", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "h", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "au"],
      ["GEOSEARCH", "g", "FROMLONLAT", "181", "0", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "g", "FROMLONLAT", "x", "0", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "STORE", "d"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "STOREDIST"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "FOO"],
      ["geosearch", "g", "FROMLONLAT", "0", "0", "WITHDIST", "WITHCOORD", "x"],
      ["GeoSearch", "g", "BYRADIUS", "1", "km", "WITHDIST", "WITHCOORD", "x"],
      ["GEOSEARCH", "missing", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "missing", "FROMMEMBER", "nope", "BYRADIUS", "x", "km"],
      ["GEOSEARCH", "missing", "FROMMEMBER", "nope", "BYBOX", "1", "1", "km", "ANY"],
      ["SET", "str", "v"],
      ["GEOSEARCH", "str", "FROMMEMBER", "a", "BYRADIUS", "1", "km"],
      ["GEOSEARCH", "str", "FOO"],
      ["GEOSEARCHSTORE", "d", "str", "FROMMEMBER", "a", "BYRADIUS", "1", "km"]
    ]
  },
  {
    name: "GEOSEARCHSTORE and GEORADIUS STORE: scores, STOREDIST, empty results delete",
    steps: [
      ["GEOADD", "g", ...cluster(30, 2.35, 48.85, 0.1, "m")],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "5", "km"],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
      ["OBJECT", "ENCODING", "d"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "5", "km", "STOREDIST"],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "2.35", "48.85", "BYBOX", "8", "8", "mi", "STOREDIST", "COUNT", "3", "DESC"],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "50", "km", "COUNT", "2", "ANY"],
      ["ZCARD", "d"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "5", "km", "WITHDIST"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "5", "km", "WITHHASH", "STOREDIST"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "50", "50", "BYRADIUS", "1", "km"],
      ["EXISTS", "d"],
      ["SET", "d", "string"],
      ["GEOSEARCHSTORE", "d", "missing", "FROMMEMBER", "x", "BYRADIUS", "1", "km"],
      ["EXISTS", "d"],
      ["SET", "d", "string"],
      ["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m3", "BYRADIUS", "1000", "m"],
      ["TYPE", "d"],
      ["GEOSEARCHSTORE", "g", "g", "FROMMEMBER", "m3", "BYRADIUS", "3", "km", "STOREDIST"],
      ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
      ["GEOADD", "g2", ...cluster(30, 2.35, 48.85, 0.1, "m")],
      ["CONFIG", "SET", "zset-max-listpack-entries", "4"],
      ["GEORADIUS", "g2", "2.35", "48.85", "8", "km", "STORE", "r"],
      ["OBJECT", "ENCODING", "r"],
      ["ZRANGE", "r", "0", "-1", "WITHSCORES"],
      ["CONFIG", "SET", "zset-max-listpack-entries", "128"],
      ["GEORADIUS", "g2", "2.35", "48.85", "8", "km", "STOREDIST", "r", "COUNT", "2"],
      ["ZRANGE", "r", "0", "-1", "WITHSCORES"],
      ["GEORADIUS", "g2", "2.35", "48.85", "8", "km", "STORE", "r1", "STOREDIST", "r2"],
      ["EXISTS", "r1", "r2"],
      ["GEORADIUS", "g2", "2.35", "48.85", "8", "km", "STORE", "r", "WITHDIST"],
      ["GEORADIUS", "g2", "2.35", "48.85", "8", "km", "STORE"],
      ["GEORADIUS", "g2", "60", "60", "8", "km", "STORE", "r"],
      ["EXISTS", "r"],
      ["GEORADIUSBYMEMBER", "g2", "m5", "2", "km", "STORE", "r", "ASC"],
      ["ZRANGE", "r", "0", "-1"],
      ["GEORADIUSBYMEMBER", "missing", "m5", "x", "y", "STORE", "r"],
      ["EXISTS", "r"],
      ["GEORADIUS_RO", "g2", "2.35", "48.85", "8", "km", "STORE", "r"],
      ["GEORADIUSBYMEMBER_RO", "g2", "m5", "8", "km", "STOREDIST", "r"],
      ["GEOSEARCHSTORE", "d", "g2", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "5", "km", "STORE", "x"]
    ]
  },
  {
    name: "GEORADIUS and GEORADIUSBYMEMBER (and _RO): options, order, errors",
    steps: [
      ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", "12.5", "41.9", "Rome"],
      ["GEORADIUS", "g", "15", "37", "200", "km"],
      ["GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH"],
      // A sorted set's own scores as geohashes: WITHHASH gives them cut to integers, as Redis's
      // addReplyLongLong of the double does.
      ["ZADD", "frac", "68.25", "aa", "1000.75", "bb"],
      ["GEORADIUS", "frac", "-180", "-85", "500", "km", "WITHHASH", "ASC"],
      ["GEOSEARCH", "frac", "FROMLONLAT", "-180", "-85", "BYRADIUS", "500", "km", "WITHHASH", "WITHDIST", "ASC"],
      ["GEORADIUS", "g", "15", "37", "1000", "km", "DESC", "WITHDIST"],
      ["GEORADIUS", "g", "15", "37", "1000", "km", "COUNT", "1"],
      ["GEORADIUS", "g", "15", "37", "1000", "km", "COUNT", "2", "ANY"],
      ["GEORADIUS_RO", "g", "15", "37", "1000", "mi", "WITHDIST", "ASC"],
      ["GEORADIUSBYMEMBER", "g", "Palermo", "500", "km", "WITHDIST", "ASC"],
      ["GEORADIUSBYMEMBER_RO", "g", "Palermo", "0", "km", "WITHCOORD"],
      ["GEORADIUSBYMEMBER", "g", "nope", "500", "km"],
      ["GEORADIUSBYMEMBER", "missing", "nope", "x", "y", "WITHDIST"],
      ["GEORADIUSBYMEMBER", "missing", "nope", "x", "y", "BOGUS"],
      ["GEORADIUSBYMEMBER", "g", "Palermo", "-5", "km"],
      ["GEORADIUSBYMEMBER", "g", "Palermo", "5", "yards"],
      ["GEORADIUS", "g", "15", "37", "200"],
      ["GEORADIUS", "g", "200", "37", "200", "km"],
      ["GEORADIUS", "g", "15", "37", "x", "km"],
      ["GEORADIUS", "g", "15", "37", "200", "km", "FROMMEMBER", "Palermo"],
      ["GEORADIUS", "g", "15", "37", "200", "km", "BYBOX", "1", "1", "km"],
      ["GEORADIUS", "g", "15", "37", "200", "km", "ANY"],
      ["GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "0"],
      ["GEORADIUS", "missing", "15", "37", "200", "km"],
      ["GEORADIUS", "missing", "15", "37", "200", "km", "STORE", "d"],
      ["GEORADIUS_RO", "g", "15", "37", "200", "km", "STOREDIST", "d"],
      ["SET", "str", "v"],
      ["GEORADIUS", "str", "15", "37", "200", "km"],
      ["GEORADIUSBYMEMBER", "str", "a", "200", "km"]
    ]
  },
  {
    name: "geo key specs: COMMAND GETKEYS for the STORE forms",
    steps: [
      ["COMMAND", "GETKEYS", "GEORADIUS", "src", "1", "2", "3", "km", "STORE", "a"],
      ["COMMAND", "GETKEYS", "GEORADIUS", "src", "1", "2", "3", "km", "STOREDIST", "b", "STORE", "a"],
      ["COMMAND", "GETKEYS", "GEORADIUS", "src", "1", "2", "3", "km", "WITHDIST", "STORE"],
      ["COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "src", "m", "3", "km", "store", "a", "store", "b"],
      ["COMMAND", "GETKEYS", "GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "m", "BYRADIUS", "1", "km"],
      ["COMMAND", "GETKEYSANDFLAGS", "GEORADIUS", "src", "1", "2", "3", "km", "STOREDIST", "b"],
      ["COMMAND", "INFO", "GEORADIUS", "GEORADIUSBYMEMBER", "GEOSEARCHSTORE", "GEOADD"]
    ]
  },
  {
    name: "geo keyspace events: zadd, geosearchstore, georadiusstore, del",
    requires: ["SUBSCRIBE"],
    steps: keyspaceEvents([
      ["GEOADD", "g", "1", "1", "a", "1.001", "1.001", "b"],
      ["GEOADD", "g", "NX", "1", "1", "a"],
      ["GEOADD", "g", "XX", "CH", "1.002", "1.002", "a"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "5", "km"],
      ["GEORADIUS", "g", "1", "1", "5", "km", "STORE", "d2"],
      ["GEORADIUSBYMEMBER", "g", "a", "5", "km", "STOREDIST", "d2"],
      ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "50", "50", "BYRADIUS", "1", "km"],
      ["GEORADIUS", "missing", "1", "1", "5", "km", "STORE", "d2"],
      ["GEORADIUS", "missing", "1", "1", "5", "km", "STORE", "d2"]
    ])
  }
]
