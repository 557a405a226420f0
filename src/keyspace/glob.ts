/**
 * Redis's glob matching (`stringmatchlen`), byte for byte: `*`, `?`, `[...]` with ranges,
 * `^` negation and `\` escapes, and `\` escaping outside classes. Its corner cases are Redis's
 * (an unterminated class, a reversed range, an empty string against `*`), because KEYS and SCAN
 * answers must match. Patterns and subjects are byte strings.
 */

/** True when the whole `subject` matches `pattern`. */
export const globMatch = (pattern: string, subject: string): boolean => {
  // KEYS and SCAN treat a lone `*` as "everything", empty keys included.
  if (pattern === "*") return true
  return matchFrom(pattern, 0, subject, 0, { skipLonger: false }, 0)
}

const MAX_NESTING = 1000

const matchFrom = (
  pattern: string,
  p: number,
  subject: string,
  s: number,
  state: { skipLonger: boolean },
  nesting: number
): boolean => {
  // Like Redis, give up (no match) rather than recurse without bound on hostile patterns.
  if (nesting > MAX_NESTING) return false
  const pEnd = pattern.length
  const sEnd = subject.length
  while (p < pEnd && s < sEnd) {
    const c = pattern.charCodeAt(p)
    if (c === 42 /* * */) {
      while (p + 1 < pEnd && pattern.charCodeAt(p + 1) === 42) p++
      if (p + 1 === pEnd) return true
      while (s < sEnd) {
        if (matchFrom(pattern, p + 1, subject, s, state, nesting + 1)) return true
        if (state.skipLonger) return false
        s++
      }
      state.skipLonger = true
      return false
    } else if (c === 63 /* ? */) {
      s++
    } else if (c === 91 /* [ */) {
      p++
      const negate = p < pEnd && pattern.charCodeAt(p) === 94 /* ^ */
      if (negate) p++
      let matched = false
      const ch = subject.charCodeAt(s)
      for (;;) {
        if (p < pEnd && pattern.charCodeAt(p) === 92 /* \ */ && pEnd - p >= 2) {
          p++
          if (pattern.charCodeAt(p) === ch) matched = true
        } else if (p < pEnd && pattern.charCodeAt(p) === 93 /* ] */) {
          break
        } else if (p >= pEnd) {
          p--
          break
        } else if (pEnd - p >= 3 && pattern.charCodeAt(p + 1) === 45 /* - */) {
          let start = pattern.charCodeAt(p)
          let end = pattern.charCodeAt(p + 2)
          if (start > end) [start, end] = [end, start]
          p += 2
          if (ch >= start && ch <= end) matched = true
        } else if (pattern.charCodeAt(p) === ch) {
          matched = true
        }
        p++
      }
      if (negate) matched = !matched
      if (!matched) return false
      s++
    } else {
      if (c === 92 /* \ */ && pEnd - p >= 2) p++
      if (pattern.charCodeAt(p) !== subject.charCodeAt(s)) return false
      s++
    }
    p++
    if (s === sEnd) {
      while (p < pEnd && pattern.charCodeAt(p) === 42) p++
      break
    }
  }
  return p === pEnd && s === sEnd
}
