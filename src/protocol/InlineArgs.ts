/**
 * Splits an inline request line into arguments with Redis's quoting rules (`sdssplitargs`):
 * - blanks (space, \t \n \v \f \r) separate arguments; inside an unquoted argument only space,
 *   \t, \n and \r end it (a \v or \f is part of it);
 * - a quote may open anywhere in an argument (`a"b c"` is `ab c`), and its closing quote ends the
 *   argument: it must be followed by a blank or the end of the line;
 * - "double quotes" understand \n \r \t \b \a, \xHH (two hex digits) and \<any byte> for that byte;
 * - 'single quotes' understand only \' (any other backslash is literal);
 * - a NUL byte ends the line (Redis splits a C string).
 * Returns `null` for unbalanced quotes. Input and output are byte strings (latin1). Plain runs of
 * bytes are copied with `slice`, not byte by byte.
 */
const SPACE = 32
const TAB = 9
const LF = 10
const CR = 13
const DOUBLE_QUOTE = 34
const SINGLE_QUOTE = 39
const BACKSLASH = 92

/** C's isspace() in the C locale. */
const isSpace = (c: number) => c === SPACE || (c >= TAB && c <= CR)
const endsUnquoted = (c: number) => c === SPACE || c === LF || c === CR || c === TAB
const hexValue = (c: number) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

/** What a backslash followed by `c` stands for inside double quotes (other than \xHH). */
const escaped = (c: number): string =>
  c === 110 ? "\n" : c === 114 ? "\r" : c === 116 ? "\t" : c === 98 ? "\b" : c === 97 ? "\x07" : String.fromCharCode(c)

export const splitInlineArgs = (input: string): Array<string> | null => {
  const nul = input.indexOf("\0")
  const line = nul < 0 ? input : input.slice(0, nul)
  const n = line.length
  const args: Array<string> = []
  let i = 0
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++
    if (i >= n) return args
    // The unquoted start of the argument.
    const start = i
    while (i < n) {
      const c = line.charCodeAt(i)
      if (endsUnquoted(c) || c === DOUBLE_QUOTE || c === SINGLE_QUOTE) break
      i++
    }
    let current = line.slice(start, i)
    const quote = i < n ? line.charCodeAt(i) : -1
    if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
      // A quoted section, which ends the argument. `run` is where bytes not yet copied start.
      let run = ++i
      for (;;) {
        if (i >= n) return null // unterminated quotes
        const c = line.charCodeAt(i)
        if (c === quote) {
          current += line.slice(run, i)
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null
          i++
          break
        }
        if (c === BACKSLASH && quote === DOUBLE_QUOTE && i + 1 < n) {
          current += line.slice(run, i)
          const high = i + 3 < n && line.charCodeAt(i + 1) === 120 /* x */ ? hexValue(line.charCodeAt(i + 2)) : -1
          const low = high >= 0 ? hexValue(line.charCodeAt(i + 3)) : -1
          if (low >= 0) {
            current += String.fromCharCode(high * 16 + low)
            i += 4
          } else {
            current += escaped(line.charCodeAt(i + 1))
            i += 2
          }
          run = i
        } else if (c === BACKSLASH && quote === SINGLE_QUOTE && i + 1 < n && line.charCodeAt(i + 1) === SINGLE_QUOTE) {
          current += line.slice(run, i) + "'"
          i += 2
          run = i
        } else {
          i++
        }
      }
    }
    args.push(current)
  }
}
