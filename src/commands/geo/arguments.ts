/**
 * What the geo commands share: their declaration helper, option matching as C's `strcasecmp`
 * (case-insensitive, the argument read up to a NUL byte), and the coordinate, distance, box
 * and unit arguments with Redis's checks and error texts.
 */
import { ERR_NOT_FLOAT } from "../../protocol/arguments.js"
import { command, type CommandSpec } from "../Command.js"
import { parseScore } from "../../protocol/score-text.js"
import { printFixed } from "./format.js"
import { LAT_MAX, LAT_MIN, LONG_MAX, LONG_MIN } from "./geohash.js"

type GeoCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a geo command: group "geo", ACL categories read|write, geo, slow. */
export const geoCommand = (spec: GeoCommandInput): CommandSpec =>
  command({
    firstKey: 1,
    lastKey: 1,
    step: 1,
    ...spec,
    group: "geo",
    aclCategories: [spec.flags.includes("write") ? "write" : "read", "geo", "slow"]
  })

/** `strcasecmp(arg, lower) == 0`: ASCII case-insensitive, `arg` ending at its first NUL byte. */
export const optionIs = (arg: string, lower: string): boolean => {
  const length = lower.length
  if (arg.length < length || (arg.length > length && arg.charCodeAt(length) !== 0)) return false
  for (let i = 0; i < length; i++) {
    const code = arg.charCodeAt(i)
    const folded = code >= 65 && code <= 90 ? code | 0x20 : code
    if (folded !== lower.charCodeAt(i)) return false
  }
  return true
}

/** A double argument (`getDoubleFromObjectOrReply`): the value, or the error text. */
const double = (text: string, message: string): number | string => {
  const value = parseScore(text)
  return value === undefined ? message : value
}

/** A longitude, latitude pair within the supported range, or the error text. */
export const lonLat = (argv: ReadonlyArray<string>, at: number): [number, number] | string => {
  const lon = double(argv[at], ERR_NOT_FLOAT)
  if (typeof lon === "string") return lon
  const lat = double(argv[at + 1], ERR_NOT_FLOAT)
  if (typeof lat === "string") return lat
  if (lon < LONG_MIN || lon > LONG_MAX || lat < LAT_MIN || lat > LAT_MAX) {
    return `ERR invalid longitude,latitude pair ${printFixed(lon, 6)},${printFixed(lat, 6)}`
  }
  return [lon, lat]
}

/** Meters per unit (m, km, ft, mi), or the error text. */
export const unitOf = (arg: string): number | string => {
  if (optionIs(arg, "m")) return 1
  if (optionIs(arg, "km")) return 1000
  if (optionIs(arg, "ft")) return 0.3048
  if (optionIs(arg, "mi")) return 1609.34
  return "ERR unsupported unit provided. please use M, KM, FT, MI"
}

/** A radius and its unit: [radius, meters per unit], or the error text. */
export const radiusArgument = (argv: ReadonlyArray<string>, at: number): [number, number] | string => {
  const radius = double(argv[at], "ERR need numeric radius")
  if (typeof radius === "string") return radius
  if (radius < 0) return "ERR radius cannot be negative"
  const unit = unitOf(argv[at + 1])
  if (typeof unit === "string") return unit
  return [radius, unit]
}

/** A box's width, height and unit: [width, height, meters per unit], or the error text. */
export const boxArgument = (argv: ReadonlyArray<string>, at: number): [number, number, number] | string => {
  const width = double(argv[at], "ERR need numeric width")
  if (typeof width === "string") return width
  const height = double(argv[at + 1], "ERR need numeric height")
  if (typeof height === "string") return height
  if (height < 0 || width < 0) return "ERR height or width cannot be negative"
  const unit = unitOf(argv[at + 2])
  if (typeof unit === "string") return unit
  return [width, height, unit]
}
