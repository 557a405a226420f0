/**
 * Finding the members inside a circle or a box, as Redis's geo search does: the shape's
 * bounding box picks a grid step, the centre's cell and its 8 neighbours (minus those the box
 * makes useless) are scanned as score ranges, and each member in them is kept when its decoded
 * position is inside the shape. Results come in the order Redis finds them (cell by cell, each
 * by score), which is what an unsorted reply shows, with the same quirks: a neighbour equal to
 * the previous one scanned is skipped, but never one equal to the centre's cell.
 */
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { cursor } from "../zsets/shared.js"
import {
  type Cell,
  decode,
  degToRad,
  distance,
  distanceFrom,
  EARTH_RADIUS_IN_METERS,
  encode,
  interleave,
  neighbour,
  POWERS_OF_TWO,
  positionOfScore,
  radToDeg,
  stepsForRadius
} from "./geohash.js"

export interface Shape {
  /** Centre. */
  lon: number
  lat: number
  /** A circle (radius) or a box (width, height), in the unit; `conversion` is meters per unit. */
  circle: boolean
  radius: number
  width: number
  height: number
  conversion: number
}

/** A member found inside the shape. `dist` is in meters until the reply divides it. */
export interface Found {
  member: string
  score: number
  lon: number
  lat: number
  dist: number
}

/** [minLon, minLat, maxLon, maxLat] around the shape (`geohashBoundingBox`). */
const boundingBox = (shape: Shape): [number, number, number, number] => {
  const { lon, lat } = shape
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2)
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2)
  const latDelta = radToDeg(height / EARTH_RADIUS_IN_METERS)
  const lonDeltaTop = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(lat + latDelta)))
  const lonDeltaBottom = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(lat - latDelta)))
  // The widest edge is the one nearer the pole.
  const southern = lat < 0
  return [
    southern ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    southern ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta
  ]
}

/** The cells to scan, in Redis's order: centre, N, S, E, W, NE, NW, SE, SW (null: skipped). */
const cellsToScan = (shape: Shape): Array<Cell | null> => {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape)
  let radiusMeters = shape.circle
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))
  radiusMeters *= shape.conversion
  let steps = stepsForRadius(radiusMeters, shape.lat)
  let centre = encode(shape.lon, shape.lat, steps)!
  // A neighbour too near the search area to cover it: one step coarser.
  const north = decode(neighbour(centre, 0, 1))
  const south = decode(neighbour(centre, 0, -1))
  const east = decode(neighbour(centre, 1, 0))
  const west = decode(neighbour(centre, -1, 0))
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon
  if (steps > 1 && decrease) {
    steps--
    centre = encode(shape.lon, shape.lat, steps)!
  }
  const cells: Array<Cell | null> = [
    centre,
    neighbour(centre, 0, 1),
    neighbour(centre, 0, -1),
    neighbour(centre, 1, 0),
    neighbour(centre, -1, 0),
    neighbour(centre, 1, 1),
    neighbour(centre, -1, 1),
    neighbour(centre, 1, -1),
    neighbour(centre, -1, -1)
  ]
  if (steps >= 2) {
    const area = decode(centre)
    // Neighbours beyond the bounding box hold nothing of the shape.
    if (area.latMin < minLat) cells[2] = cells[8] = cells[7] = null
    if (area.latMax > maxLat) cells[1] = cells[5] = cells[6] = null
    if (area.lonMin < minLon) cells[4] = cells[8] = cells[6] = null
    if (area.lonMax > maxLon) cells[3] = cells[7] = cells[5] = null
  }
  return cells
}

const position: [number, number] = [0, 0]
let foundDistance = 0
/** The centre of the running search, in radians, and its latitude's cosine. */
let centreLonRad = 0
let centreLatRad = 0
let centreCosLat = 0
/** A circle's radius in meters with a relative margin of 1e-9 (see `inside`). */
let centreReach = 0

/** Whether a score's position is inside the shape; sets `position` and `foundDistance` (meters). */
const inside = (shape: Shape, score: number): boolean => {
  positionOfScore(score, position)
  const lon = position[0]
  const lat = position[1]
  if (shape.circle) {
    // The distance along the meridian is a lower bound of the haversine distance: a member
    // clearly beyond it (the margin dwarfs rounding) is outside without the trigonometry.
    if (EARTH_RADIUS_IN_METERS * Math.abs(degToRad(lat) - centreLatRad) > centreReach) return false
    foundDistance = distanceFrom(centreLonRad, centreLatRad, centreCosLat, lon, lat)
    return foundDistance <= shape.radius * shape.conversion
  }
  // The east-west distance at the member's latitude, the north-south one along its meridian.
  const lonDistance = distance(lon, lat, shape.lon, lat)
  const latDistance = distance(lon, lat, lon, shape.lat)
  if (lonDistance > (shape.width * shape.conversion) / 2 || latDistance > (shape.height * shape.conversion) / 2) {
    return false
  }
  foundDistance = distanceFrom(centreLonRad, centreLatRad, centreCosLat, lon, lat)
  return true
}

/** Appends the members of `cell` inside the shape; stops once `limit` (0: none) are found. */
const scanCell = (zset: SortedSetValue, cell: Cell, shape: Shape, found: Array<Found>, limit: number): void => {
  const shift = POWERS_OF_TWO[52 - cell.step * 2]
  const bits = interleave(cell.lat, cell.lon)
  const min = bits * shift
  const max = (bits + 1) * shift
  if (!zset.tree.seekScore(cursor, min)) return
  do {
    const score = cursor.score
    if (score >= max) break
    if (inside(shape, score)) {
      found.push({ member: cursor.member, score, lon: position[0], lat: position[1], dist: foundDistance })
      if (limit !== 0 && found.length >= limit) break
    }
  } while (cursor.next())
}

/** The members inside the shape, in Redis's order of discovery; at most `limit` (0: all). */
export const searchShape = (zset: SortedSetValue, shape: Shape, limit: number): Array<Found> => {
  const cells = cellsToScan(shape)
  centreLonRad = degToRad(shape.lon)
  centreLatRad = degToRad(shape.lat)
  centreCosLat = Math.cos(centreLatRad)
  centreReach = shape.radius * shape.conversion * (1 + 1e-9)
  const found: Array<Found> = []
  let last = 0
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]
    if (cell === null) continue
    // Huge radii make neighbours coincide; Redis compares with the last one scanned, unless
    // that was the centre (its index, 0, reads as "none yet").
    const previous = cells[last]
    if (last !== 0 && previous !== null && cell.lat === previous.lat && cell.lon === previous.lon) continue
    if (limit !== 0 && found.length >= limit) break
    scanCell(zset, cell, shape, found, limit)
    last = i
  }
  return found
}
