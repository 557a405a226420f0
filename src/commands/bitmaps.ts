/**
 * The bitmap command family (Redis's "bitmap" group), on ordinary string values: single bits and
 * counts in bitmaps/bits.ts, BITOP in bitmaps/bitop.ts, BITFIELD and BITFIELD_RO in
 * bitmaps/bitfield.ts; offsets, limits and bit reading in bitmaps/shared.ts.
 */
import { bitfieldCommands } from "./bitmaps/bitfield.js"
import { bitopCommands } from "./bitmaps/bitop.js"
import { bitCommands } from "./bitmaps/bits.js"
import type { CommandSpec } from "./Command.js"

export const bitmapCommands: ReadonlyArray<CommandSpec> = [...bitCommands, ...bitopCommands, ...bitfieldCommands]
