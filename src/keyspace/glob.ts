/**
 * Redis's glob matching (`stringmatchlen`), byte for byte: `*`, `?`, `[...]` with ranges,
 * `^` negation and `\` escapes, and `\` escaping outside classes. Its corner cases are Redis's,
 * because KEYS and SCAN answers must match:
 * - an unterminated class (`[abc`) is a class running to the end of the pattern;
 * - a range may be reversed (`[z-a]` is `[a-z]`), and `-` right before the closing `]` makes a
 *   range that swallows that `]` (`[a-]` is a range from `]` to `a`, still open);
 * - range bounds compare as C's signed `char` on x86-64 (bytes 0x80–0xFF are below 0x00), so
 *   `[a-\xff]` is `[\xff-a]`;
 * - a trailing `\` is a literal backslash;
 * - an empty subject is matched only by the empty pattern (not even by `*`), which is why KEYS
 *   and SCAN special-case a lone `*` to mean "every key".
 * Patterns and subjects are byte strings.
 */

/** True when the whole `subject` matches `pattern`, with KEYS/SCAN's rule that a lone `*` matches every key. */
export const globMatch = (pattern: string, subject: string): boolean => {
  if (pattern === "*") return true
  return stringMatch(pattern, subject)
}

/** Redis's `stringmatchlen` itself, without KEYS's lone-`*` shortcut (for pub/sub patterns and the like). */
export const stringMatch = (pattern: string, subject: string): boolean => {
  skipLongerMatches = false
  return matchFrom(pattern, 0, subject, 0, 0)
}

/** Like Redis, give up (no match) rather than recurse without bound on hostile patterns. */
const MAX_NESTING = 1000
const STAR = 42
const QUESTION = 63
const OPEN = 91
const CLOSE = 93
const CARET = 94
const DASH = 45
const BACKSLASH = 92

/**
 * Set once the rest of a pattern after some `*` failed from every position of the subject:
 * then no earlier `*` can succeed by matching more (Redis's fix for exponential patterns).
 * Module state is safe here: matching is synchronous and never re-entered.
 */
let skipLongerMatches = false

/** A byte as C's signed `char`. */
const signed = (byte: number) => (byte >= 128 ? byte - 256 : byte)

const matchFrom = (pattern: string, p: number, subject: string, s: number, nesting: number): boolean => {
  if (nesting > MAX_NESTING) return false
  const pEnd = pattern.length
  const sEnd = subject.length
  while (p < pEnd && s < sEnd) {
    const c = pattern.charCodeAt(p)
    if (c === STAR) {
      while (p + 1 < pEnd && pattern.charCodeAt(p + 1) === STAR) p++
      if (p + 1 === pEnd) return true
      for (; s < sEnd; s++) {
        if (matchFrom(pattern, p + 1, subject, s, nesting + 1)) return true
        if (skipLongerMatches) return false
      }
      skipLongerMatches = true
      return false
    } else if (c === QUESTION) {
      s++
    } else if (c === OPEN) {
      p = matchClass(pattern, p + 1, subject.charCodeAt(s))
      if (p < 0) return false
      s++
    } else {
      if (c === BACKSLASH && pEnd - p >= 2) p++
      if (pattern.charCodeAt(p) !== subject.charCodeAt(s)) return false
      s++
    }
    p++
    if (s === sEnd) {
      while (p < pEnd && pattern.charCodeAt(p) === STAR) p++
      break
    }
  }
  return p === pEnd && s === sEnd
}

/**
 * Matches byte `ch` against the class whose body starts at `p` (just after `[`). Returns the
 * index of the class's closing `]` (or of its last byte when unterminated), or -1 when `ch`
 * does not match.
 */
const matchClass = (pattern: string, p: number, ch: number): number => {
  const pEnd = pattern.length
  const negate = p < pEnd && pattern.charCodeAt(p) === CARET
  if (negate) p++
  let matched = false
  for (;; p++) {
    const c = pattern.charCodeAt(p)
    if (c === BACKSLASH && pEnd - p >= 2) {
      p++
      if (pattern.charCodeAt(p) === ch) matched = true
    } else if (c === CLOSE) {
      break
    } else if (p >= pEnd) {
      p--
      break
    } else if (pEnd - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      const start = signed(c)
      const end = signed(pattern.charCodeAt(p + 2))
      const value = signed(ch)
      if (start <= end ? value >= start && value <= end : value >= end && value <= start) matched = true
      p += 2
    } else if (c === ch) {
      matched = true
    }
  }
  return matched !== negate ? p : -1
}
