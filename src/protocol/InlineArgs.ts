/**
 * Splits an inline request line into arguments with Redis's quoting rules (`sdssplitargs`):
 * whitespace separates; "double quotes" understand \n \r \t \b \a \\ \" and \xHH;
 * 'single quotes' understand only \'; a closing quote must be followed by whitespace or the end.
 * Returns `null` for unbalanced quotes. Input and output are byte strings (latin1).
 */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13)
const hexValue = (c: number) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

export const splitInlineArgs = (input: string): Array<string> | null => {
  // Redis splits a C string: a NUL byte ends the line.
  const nul = input.indexOf("\0")
  const line = nul < 0 ? input : input.slice(0, nul)
  const args: Array<string> = []
  const n = line.length
  let i = 0
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++
    if (i >= n) return args
    let current = ""
    let inDouble = false
    let inSingle = false
    for (;;) {
      const c = line.charCodeAt(i)
      if (inDouble) {
        if (i >= n) return null
        if (c === 92 /* \ */ && i + 3 < n && line.charCodeAt(i + 1) === 120 /* x */ &&
          hexValue(line.charCodeAt(i + 2)) >= 0 && hexValue(line.charCodeAt(i + 3)) >= 0) {
          current += String.fromCharCode(hexValue(line.charCodeAt(i + 2)) * 16 + hexValue(line.charCodeAt(i + 3)))
          i += 3
        } else if (c === 92 && i + 1 < n) {
          i++
          const e = line[i]
          current += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "b" ? "\b" : e === "a" ? "\x07" : e
        } else if (c === 34 /* " */) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null
          inDouble = false
          i++
          break
        } else {
          current += line[i]
        }
      } else if (inSingle) {
        if (i >= n) return null
        if (c === 92 && i + 1 < n && line.charCodeAt(i + 1) === 39 /* ' */) {
          i++
          current += "'"
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null
          inSingle = false
          i++
          break
        } else {
          current += line[i]
        }
      } else {
        // Outside quotes only these end an argument (isspace() is used for skipping, not here).
        if (i >= n || c === 32 || c === 10 || c === 13 || c === 9) break
        if (c === 34) inDouble = true
        else if (c === 39) inSingle = true
        else current += line[i]
      }
      i++
    }
    args.push(current)
  }
}
