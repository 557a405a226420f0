/**
 * A hand-written SVG bar chart of throughput ratios to Redis: one group per test row, one
 * horizontal bar per compared server, and a line at 1.0 (Redis). Failed runs show "error".
 */

const COLORS = { redfiber: "#c0392b", "node-ref": "#2e86c1" }
const FALLBACK_COLOR = "#7f8c8d"
const LABEL_WIDTH = 190
const PLOT_WIDTH = 520
const BAR_HEIGHT = 14
const GROUP_GAP = 10
const TOP = 50
const AXIS_SPACE = 40

const escapeXml = (text) => String(text).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c])

const text = (x, y, content, attributes = "") =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`

/** Grid lines every 0.25 (or 0.5 when the scale is wide) with their labels. */
const gridLines = (maxRatio, xOf, bottom) => {
  const step = maxRatio > 2.5 ? 0.5 : 0.25
  const lines = []
  for (let value = 0; value <= maxRatio + 1e-9; value += step) {
    const x = xOf(value)
    lines.push(`<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${bottom}" stroke="#e5e5e5"/>`)
    lines.push(text(x, bottom + 14, value.toFixed(2), 'text-anchor="middle" fill="#555"'))
  }
  return lines
}

/**
 * @param {{ title: string, rows: Array<{ label: string, bars: Array<{ server: string, ratio: number, error?: string }> }> }} chart
 * @returns {string} the SVG document
 */
export const ratioChartSvg = ({ title, rows }) => {
  const ratios = rows.flatMap((row) => row.bars.map((bar) => bar.ratio)).filter(Number.isFinite)
  const maxRatio = Math.max(1.25, ...ratios.map((ratio) => ratio * 1.1))
  const xOf = (ratio) => LABEL_WIDTH + (Math.min(ratio, maxRatio) / maxRatio) * PLOT_WIDTH
  const servers = [...new Set(rows.flatMap((row) => row.bars.map((bar) => bar.server)))]
  const groupHeight = servers.length * BAR_HEIGHT + GROUP_GAP
  const bottom = TOP + rows.length * groupHeight
  const width = LABEL_WIDTH + PLOT_WIDTH + 70
  const height = bottom + AXIS_SPACE

  const parts = [...gridLines(maxRatio, xOf, bottom)]
  rows.forEach((row, rowIndex) => {
    const groupTop = TOP + rowIndex * groupHeight
    parts.push(text(LABEL_WIDTH - 8, groupTop + (servers.length * BAR_HEIGHT) / 2 + 4, row.label, 'text-anchor="end"'))
    row.bars.forEach((bar) => {
      const y = groupTop + servers.indexOf(bar.server) * BAR_HEIGHT
      if (!Number.isFinite(bar.ratio)) {
        parts.push(text(LABEL_WIDTH + 4, y + BAR_HEIGHT - 3, `${bar.server}: ${bar.error ? "error" : "n/a"}`, 'fill="#999" font-style="italic"'))
        return
      }
      const color = COLORS[bar.server] ?? FALLBACK_COLOR
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y + 1}" width="${(xOf(bar.ratio) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT - 2}" fill="${color}"/>`)
      parts.push(text(xOf(bar.ratio) + 4, y + BAR_HEIGHT - 3, `${bar.ratio.toFixed(2)}×`, 'fill="#333"'))
    })
  })
  const one = xOf(1)
  parts.push(`<line x1="${one}" y1="${TOP - 10}" x2="${one}" y2="${bottom}" stroke="#222" stroke-width="1.5" stroke-dasharray="5,3"/>`)
  parts.push(text(one, TOP - 14, "Redis = 1.0", 'text-anchor="middle" fill="#222"'))
  servers.forEach((server, i) => {
    const x = LABEL_WIDTH + PLOT_WIDTH - 150 + i * 90
    parts.push(`<rect x="${x}" y="8" width="12" height="12" fill="${COLORS[server] ?? FALLBACK_COLOR}"/>`)
    parts.push(text(x + 16, 18, server))
  })
  parts.push(text(10, 18, title, 'font-weight="bold"'))
  parts.push(text(LABEL_WIDTH + PLOT_WIDTH / 2, height - 6, "ops/s ÷ Redis ops/s (higher is better)", 'text-anchor="middle" fill="#555"'))

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    "</svg>",
    ""
  ].join("\n")
}
