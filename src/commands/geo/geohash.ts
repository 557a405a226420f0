/**
 * Redis's geohash arithmetic: a position is a cell of a 2^step x 2^step grid over longitude
 * [-180, 180] and latitude [-85.05112878, 85.05112878] (Web Mercator's limits), and a member's
 * score is its step-26 cell with the latitude index in the even bits and the longitude index
 * in the odd bits (52 bits). Decoding gives the cell's centre; distances are haversine on a
 * sphere of radius 6372797.560856 m. Every formula keeps Redis's order of operations, so the
 * doubles (and the printed digits) are the same.
 *
 * A cell is kept as its two indices: moving to a neighbour is then +-1 on one index, modulo
 * 2^step, which is what Redis's bit tricks on the interleaved value compute.
 */

export const LONG_MIN = -180
export const LONG_MAX = 180
export const LAT_MIN = -85.05112878
export const LAT_MAX = 85.05112878
export const STEP_MAX = 26
export const EARTH_RADIUS_IN_METERS = 6372797.560856
const MERCATOR_MAX = 20037726.37
const D_R = Math.PI / 180

/** 2^0 .. 2^64 (a table: `2 ** n` with a variable n is a call into C's pow). */
export const POWERS_OF_TWO: ReadonlyArray<number> = Array.from({ length: 65 }, (_, n) => 2 ** n)

export const degToRad = (degrees: number): number => degrees * D_R
export const radToDeg = (radians: number): number => radians / D_R

/** A cell of the grid at `step` (latitude and longitude indices). */
export interface Cell {
  lat: number
  lon: number
  step: number
}

/** A cell's bounds. */
export interface Area {
  latMin: number
  latMax: number
  lonMin: number
  lonMax: number
}

const TWO_32 = 4294967296

/** The 16 low bits of `x` spread to the even bits of a 32-bit value. */
const spread16 = (x: number): number => {
  x &= 0xffff
  x = (x | (x << 8)) & 0x00ff00ff
  x = (x | (x << 4)) & 0x0f0f0f0f
  x = (x | (x << 2)) & 0x33333333
  x = (x | (x << 1)) & 0x55555555
  return x
}

/** The even bits of a 32-bit value gathered into 16 bits. */
const compact16 = (x: number): number => {
  x &= 0x55555555
  x = (x | (x >>> 1)) & 0x33333333
  x = (x | (x >>> 2)) & 0x0f0f0f0f
  x = (x | (x >>> 4)) & 0x00ff00ff
  x = (x | (x >>> 8)) & 0x0000ffff
  return x
}

/** The interleaved value of two 32-bit indices (latitude in the even bits), as a double. */
export const interleave = (lat: number, lon: number): number => {
  const low = spread16(lat) + spread16(lon) * 2
  const high = spread16(lat >>> 16) + spread16(lon >>> 16) * 2
  return high * TWO_32 + low
}

/** C's `(uint64_t)score` on x86-64, as its high and low 32-bit halves. */
const toUint64 = (score: number): [number, number] => {
  if (score >= 0 && score < 18446744073709551616) {
    const whole = Math.trunc(score)
    const high = Math.floor(whole / TWO_32)
    return [high, whole - high * TWO_32]
  }
  // Negative scores convert through int64 (two's complement); the rest come out as below.
  let bits: bigint
  if (score !== score || score >= 18446744073709551616) bits = 0n
  else if (score <= -9223372036854775808) bits = 1n << 63n
  else bits = BigInt.asUintN(64, BigInt(Math.trunc(score)))
  return [Number(bits >> 32n), Number(bits & 0xffffffffn)]
}

/** The step-26 cell a score names. */
const cellOfScore = (score: number): Cell => {
  const [high, low] = toUint64(score)
  return {
    lat: compact16(low) + compact16(high) * 65536,
    lon: compact16(low >>> 1) + compact16(high >>> 1) * 65536,
    step: STEP_MAX
  }
}

/**
 * The cell holding a position at `step` (`geohashEncode`), over the given ranges; undefined
 * outside the supported coordinates.
 */
export const encode = (
  lon: number,
  lat: number,
  step: number,
  latMin = LAT_MIN,
  latMax = LAT_MAX
): Cell | undefined => {
  if (lon > LONG_MAX || lon < LONG_MIN || lat > LAT_MAX || lat < LAT_MIN) return undefined
  if (lat < latMin || lat > latMax) return undefined
  let latOffset = (lat - latMin) / (latMax - latMin)
  let lonOffset = (lon - LONG_MIN) / (LONG_MAX - LONG_MIN)
  latOffset *= POWERS_OF_TWO[step]
  lonOffset *= POWERS_OF_TWO[step]
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(lonOffset) >>> 0, step }
}

/** A step-26 position's score (what GEOADD stores): the interleaved indices. */
export const scoreOf = (lon: number, lat: number): number => {
  const cell = encode(lon, lat, STEP_MAX)!
  return interleave(cell.lat, cell.lon)
}

/** A cell's bounds (`geohashDecode`). */
export const decode = (cell: Cell, latMin = LAT_MIN, latMax = LAT_MAX): Area => {
  const latScale = latMax - latMin
  const lonScale = LONG_MAX - LONG_MIN
  const cells = POWERS_OF_TWO[cell.step]
  return {
    latMin: latMin + (cell.lat / cells) * latScale,
    latMax: latMin + ((cell.lat + 1) / cells) * latScale,
    lonMin: LONG_MIN + (cell.lon / cells) * lonScale,
    lonMax: LONG_MIN + ((cell.lon + 1) / cells) * lonScale
  }
}

const LAT_SCALE = LAT_MAX - LAT_MIN
const LONG_SCALE = LONG_MAX - LONG_MIN
const CELLS_26 = 2 ** STEP_MAX

/**
 * The position a score stands for: its cell's centre, within the supported coordinates.
 * (`decode` and `cellOfScore` inlined: searches call this for every member they look at.)
 */
export const positionOfScore = (score: number, into: [number, number]): void => {
  let latIndex: number
  let lonIndex: number
  if (score >= 0 && score < 18446744073709551616) {
    const whole = Math.trunc(score)
    const high = Math.floor(whole / TWO_32)
    const low = whole - high * TWO_32
    latIndex = compact16(low) + compact16(high) * 65536
    lonIndex = compact16(low >>> 1) + compact16(high >>> 1) * 65536
  } else {
    const cell = cellOfScore(score)
    latIndex = cell.lat
    lonIndex = cell.lon
  }
  const latMin = LAT_MIN + (latIndex / CELLS_26) * LAT_SCALE
  const latMax = LAT_MIN + ((latIndex + 1) / CELLS_26) * LAT_SCALE
  const lonMin = LONG_MIN + (lonIndex / CELLS_26) * LONG_SCALE
  const lonMax = LONG_MIN + ((lonIndex + 1) / CELLS_26) * LONG_SCALE
  let lon = (lonMin + lonMax) / 2
  if (lon > LONG_MAX) lon = LONG_MAX
  if (lon < LONG_MIN) lon = LONG_MIN
  let lat = (latMin + latMax) / 2
  if (lat > LAT_MAX) lat = LAT_MAX
  if (lat < LAT_MIN) lat = LAT_MIN
  into[0] = lon
  into[1] = lat
}

/** The distance between two latitudes on one meridian. */
const latitudeDistance = (lat1: number, lat2: number): number =>
  EARTH_RADIUS_IN_METERS * Math.abs(degToRad(lat2) - degToRad(lat1))

/** Haversine distance in meters (on one meridian, the cheaper latitude distance, as Redis). */
export const distance = (lon1: number, lat1: number, lon2: number, lat2: number): number => {
  const lon1r = degToRad(lon1)
  const lon2r = degToRad(lon2)
  const v = Math.sin((lon2r - lon1r) / 2)
  if (v === 0) return latitudeDistance(lat1, lat2)
  const lat1r = degToRad(lat1)
  const lat2r = degToRad(lat2)
  const u = Math.sin((lat2r - lat1r) / 2)
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a))
}

/**
 * `distance(lon1, lat1, lon2, lat2)` with the first point's radians and latitude cosine
 * computed once (a search measures every member from one centre): the same operations, so
 * the same double.
 */
export const distanceFrom = (lon1r: number, lat1r: number, cosLat1: number, lon2: number, lat2: number): number => {
  const lon2r = degToRad(lon2)
  const v = Math.sin((lon2r - lon1r) / 2)
  const lat2r = degToRad(lat2)
  if (v === 0) return EARTH_RADIUS_IN_METERS * Math.abs(lat2r - lat1r)
  const u = Math.sin((lat2r - lat1r) / 2)
  const a = u * u + cosLat1 * Math.cos(lat2r) * v * v
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a))
}

/** The coarsest step whose cells still cover `meters` around latitude `lat`. */
export const stepsForRadius = (meters: number, lat: number): number => {
  if (meters === 0) return 26
  let step = 1
  while (meters < MERCATOR_MAX) {
    meters *= 2
    step++
  }
  step -= 2
  // Meridians converge towards the poles: wider cells there.
  if (lat > 66 || lat < -66) {
    step--
    if (lat > 80 || lat < -80) step--
  }
  if (step < 1) step = 1
  if (step > 26) step = 26
  return step
}

/** A neighbour of `cell`: `dLon`, `dLat` in -1..1, indices wrapping around the grid. */
export const neighbour = (cell: Cell, dLon: number, dLat: number): Cell => {
  const mask = POWERS_OF_TWO[cell.step] - 1
  return {
    lon: dLon === 0 ? cell.lon : (cell.lon + dLon) & mask,
    lat: dLat === 0 ? cell.lat : (cell.lat + dLat) & mask,
    step: cell.step
  }
}
