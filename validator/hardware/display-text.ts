/** Fitting rider text to a character display, shared by the LCD and the simulated display so both show the same thing. */

export const DEFAULT_DISPLAY_COLS = 16;
export const DEFAULT_DISPLAY_ROWS = 2;

/**
 * Sanitizes one line to what an HD44780 (ROM A00) renders faithfully and fits it to `cols`:
 * accents are dropped ("Zürich" → "Zurich"), whitespace becomes a space, anything else outside
 * printable ASCII becomes '?'. '\\' and '~' are replaced too: that ROM draws them as ¥ and →.
 */
export function fitDisplayLine(text: string, cols: number): string {
  let out = '';
  for (const ch of text.normalize('NFKD')) {
    if (out.length >= cols) break;
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x300 && code <= 0x36f) continue; // combining mark left by NFKD
    if (/\s/u.test(ch)) out += ' ';
    else if (code >= 0x20 && code <= 0x7d && code !== 0x5c) out += ch;
    else out += '?';
  }
  return out.padEnd(cols, ' ');
}

/** The rows a display shows for `show(line1, line2)`: fitted lines, blank rows below. */
export function fitDisplayRows(lines: readonly string[], cols: number, rows: number): string[] {
  return Array.from({ length: rows }, (_, row) => fitDisplayLine(lines[row] ?? '', cols));
}
