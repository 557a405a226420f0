/**
 * LOLWUT [VERSION v] [arguments]: computer art, then the version line, as Redis 7.0 draws it.
 *
 * - VERSION 5: Georg Nees's "Schotter" — a grid of squares drawn on a canvas of Braille dots (2×4
 *   dots a character), square outlines by Bresenham lines, turned and shifted at random more and
 *   more down the rows (the first two rows are never moved). Arguments: terminal columns (66),
 *   squares per row (8) and per column (12).
 * - VERSION 6: a skyline of skyscrapers in the terminal's four grays (each pixel a space with
 *   ANSI colors): two rows of background buildings, then the foreground ones with random windows.
 *   Arguments: columns (80) and rows (20).
 * - Any other version, and the default for 7.0: the version line alone.
 *
 * The random parts come from Math.random (Redis uses rand()); the geometry is Redis's, with its
 * single-precision (`float`) arithmetic, so the rows drawn without randomness match it exactly.
 * Replies are binary strings: the art's UTF-8 bytes, one char each.
 */
import { isKeyword, parseInteger } from "../../protocol/arguments.js"
import { command, type CommandContext } from "../Command.js"
import { REDIS_VERSION } from "../../protocol/version.js"

const f32 = Math.fround

/** C's rand(): 0 to 2^31 - 1. */
const rand = (): number => Math.floor(Math.random() * 2147483648)

/** C's round(): halves away from zero. */
const roundC = (value: number): number => (value < 0 ? -Math.floor(-value + 0.5) : Math.floor(value + 0.5))

/** A canvas of pixels with values 0..3, one byte each, or one bit each for the two-color one. */
class Canvas {
  private readonly pixels: Uint8Array
  constructor(readonly width: number, readonly height: number, readonly bits: boolean, background: number) {
    this.pixels = bits ? new Uint8Array(Math.ceil((width * height) / 8)) : new Uint8Array(width * height)
    if (background !== 0) this.pixels.fill(background)
  }

  /** Out of the canvas is allowed, and draws nothing. */
  set(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return
    const at = x + y * this.width
    if (!this.bits) this.pixels[at] = color
    else if (color !== 0) this.pixels[at >> 3] |= 1 << (at & 7)
    else this.pixels[at >> 3] &= ~(1 << (at & 7))
  }

  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0
    const at = x + y * this.width
    return this.bits ? (this.pixels[at >> 3] >> (at & 7)) & 1 : this.pixels[at]
  }

  /** Bresenham's line from (x1, y1) to (x2, y2). */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1)
    const dy = Math.abs(y2 - y1)
    const sx = x1 < x2 ? 1 : -1
    const sy = y1 < y2 ? 1 : -1
    let err = dx - dy
    for (;;) {
      this.set(x1, y1, color)
      if (x1 === x2 && y1 === y2) return
      const e2 = err * 2
      if (e2 > -dy) {
        err -= dy
        x1 += sx
      }
      if (e2 < dx) {
        err += dx
        y1 += sy
      }
    }
  }

  /**
   * A square centred on (x, y) with sides `size`, turned by `angle` radians: its corners are
   * points of the circle around it, a quarter turn apart, starting at 45°.
   */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    const radius = f32(roundC(f32(size / 1.4142135623)))
    const px: Array<number> = []
    const py: Array<number> = []
    let k = f32(Math.PI / 4 + angle)
    for (let j = 0; j < 4; j++) {
      px.push(roundC(Math.sin(k) * radius + x))
      py.push(roundC(Math.cos(k) * radius + y))
      k = f32(k + Math.PI / 2)
    }
    for (let j = 0; j < 4; j++) this.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color)
  }
}

/** Schotter on a canvas `columns` Braille characters wide. */
const schotter = (columns: number, perRow: number, perColumn: number): Canvas => {
  const width = columns * 2
  const padding = width > 4 ? 2 : 0
  const side = f32((width - padding * 2) / perRow)
  const height = Math.trunc(f32(f32(side * perColumn) + padding * 2))
  const canvas = new Canvas(width, height, true, 0)
  const half = f32(side / 2)
  for (let y = 0; y < perColumn; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f32(f32(f32(x * side) + half) + padding))
      let sy = Math.trunc(f32(f32(f32(y * side) + half) + padding))
      let angle = 0
      // Lower rows turn and move more, at random.
      if (y > 1) {
        let r1 = f32(f32(f32(rand() / 2147483647) / perColumn) * y)
        let r2 = f32(f32(f32(rand() / 2147483647) / perColumn) * y)
        let r3 = f32(f32(f32(rand() / 2147483647) / perColumn) * y)
        if (rand() % 2) r1 = -r1
        if (rand() % 2) r2 = -r2
        if (rand() % 2) r3 = -r3
        angle = r1
        sx = Math.trunc(f32(sx + f32(f32(r2 * side) / 3)))
        sy = Math.trunc(f32(sy + f32(f32(r3 * side) / 3)))
      }
      canvas.square(sx, sy, side, angle, 1)
    }
  }
  return canvas
}

/** A Braille character's UTF-8 bytes, as a binary string. */
const braille = (dots: number): string => {
  const code = 0x2800 + dots
  return String.fromCharCode(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
}

/** Each 2×4 block of dots as one Braille character (dots 1-2-3-7 down the left, 4-5-6-8 the right). */
const renderBraille = (canvas: Canvas): string => {
  const rows: Array<string> = []
  for (let y = 0; y < canvas.height; y += 4) {
    let row = ""
    for (let x = 0; x < canvas.width; x += 2) {
      const dots = canvas.get(x, y) | (canvas.get(x, y + 1) << 1) | (canvas.get(x, y + 2) << 2) |
        (canvas.get(x + 1, y) << 3) | (canvas.get(x + 1, y + 1) << 4) | (canvas.get(x + 1, y + 2) << 5) |
        (canvas.get(x, y + 3) << 6) | (canvas.get(x + 1, y + 3) << 7)
      row += braille(dots)
    }
    // Redis ends a row with a newline unless it starts on the canvas's last pixel row.
    rows.push(y !== canvas.height - 1 ? `${row}\n` : row)
  }
  return rows.join("")
}

interface Skyscraper {
  readonly offset: number
  readonly width: number
  readonly height: number
  readonly windows: boolean
  readonly color: number
}

/** One building from the bottom row up; its roof two pixels narrower each side; windows 2×1, of a random gray. */
const drawSkyscraper = (canvas: Canvas, building: Skyscraper): void => {
  const bottom = canvas.height - 1
  const top = bottom - building.height + 1
  const { offset, width } = building
  for (let y = bottom; y >= top; y--) {
    for (let x = offset; x < offset + width; x++) {
      if (y === top && (x <= offset + 1 || x >= offset + width - 2)) continue
      let color = building.color
      if (building.windows && x > offset + 1 && x < offset + width - 2 && y > top + 1 && y < bottom - 1) {
        const relativeX = x - (offset + 1)
        const relativeY = y - (top + 1)
        if (Math.trunc(relativeX / 2) % 2 && relativeY % 2) {
          do color = 1 + (rand() % 2)
          while (color === building.color)
          // The window's second pixel takes the first one's color.
          if (relativeX % 2) color = canvas.get(x - 1, y)
        }
      }
      canvas.set(x, y, color)
    }
  }
}

/** The skyline: light gray buildings behind darker ones, then black ones with windows in front. */
const skyline = (columns: number, rows: number): Canvas => {
  const canvas = new Canvas(columns, rows, false, 3)
  const h = canvas.height
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < canvas.width;) {
      offset += rand() % 8
      const width = 10 + (rand() % 9)
      const height = Math.trunc(h / 2) + Math.trunc((rand() % h) / (color === 2 ? 2 : 3))
      drawSkyscraper(canvas, { offset, width, height, windows: false, color })
      offset += color === 2 ? Math.trunc(width / 2) : width + 1
    }
  }
  for (let offset = -10; offset < canvas.width;) {
    offset += rand() % 8
    let width = 5 + (rand() % 14)
    if (width % 4) width += width % 3
    const height = Math.trunc(h / 3) + Math.trunc((rand() % h) / 2)
    drawSkyscraper(canvas, { offset, width, height, windows: true, color: 0 })
    offset += width + 5
  }
  return canvas
}

/** Foreground and background together, so the look is the same on every terminal. */
const GRAYS = ["0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"]

const renderGrays = (canvas: Canvas): string => {
  const rows: Array<string> = []
  for (let y = 0; y < canvas.height; y++) {
    let row = ""
    for (let x = 0; x < canvas.width; x++) row += `\x1b[${GRAYS[canvas.get(x, y)] ?? GRAYS[0]} \x1b[0m`
    rows.push(row)
  }
  return rows.join("\n")
}

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high)

/** The integer arguments at `from` on, over `defaults`; undefined after replying Redis's error. */
const integerArguments = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  from: number,
  defaults: ReadonlyArray<number>
): Array<number> | undefined => {
  const values = [...defaults]
  for (let i = 0; i < defaults.length && from + i < argv.length; i++) {
    const value = parseInteger(argv[from + i])
    if (value === undefined) {
      ctx.out.error("ERR value is not an integer or out of range")
      return undefined
    }
    values[i] = Number(value)
  }
  return values
}

const versionLine = `Redis ver. ${REDIS_VERSION}\n`

const lolwut5 = (ctx: CommandContext, argv: ReadonlyArray<string>, from: number): void => {
  const values = integerArguments(ctx, argv, from, [66, 8, 12])
  if (values === undefined) return
  const canvas = schotter(clamp(values[0], 1, 1000), clamp(values[1], 1, 200), clamp(values[2], 1, 200))
  ctx.out.verbatim(`${renderBraille(canvas)}\nGeorg Nees - schotter, plotter on paper, 1968. ${versionLine}`)
}

const lolwut6 = (ctx: CommandContext, argv: ReadonlyArray<string>, from: number): void => {
  const values = integerArguments(ctx, argv, from, [80, 20])
  if (values === undefined) return
  const canvas = skyline(clamp(values[0], 1, 1000), clamp(values[1], 1, 1000))
  ctx.out.verbatim(
    `${renderGrays(canvas)}\nDedicated to the 8 bit game developers of past and present.\n` +
      `Original 8 bit image from Plaguemon by hikikomori. ${versionLine}`
  )
}

export const lolwut = command({
  name: "lolwut",
  arity: -1,
  flags: ["readonly", "fast"],
  group: "server",
  aclCategories: ["read", "fast"],
  summary: "Display some computer art and the Redis version",
  since: "5.0.0",
  run: (ctx, argv) => {
    // Without VERSION v, 7.0's own (no art); the version is read as C's unsigned int.
    if (argv.length < 3 || !isKeyword(argv[1], "VERSION")) return ctx.out.verbatim(versionLine)
    const version = parseInteger(argv[2])
    if (version === undefined) return ctx.out.error("ERR value is not an integer or out of range")
    const unsigned = BigInt.asUintN(32, BigInt(version))
    if (unsigned === 5n) return lolwut5(ctx, argv, 3)
    if (unsigned === 6n) return lolwut6(ctx, argv, 3)
    ctx.out.verbatim(versionLine)
  }
})
