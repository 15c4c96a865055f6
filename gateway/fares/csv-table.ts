/**
 * A small strict RFC 4180 reader: fields separated by commas, records by CRLF or LF,
 * a field in double quotes may hold commas, quotes ("") and line breaks. A UTF-8 BOM
 * is skipped and blank lines are ignored. Malformed quoting is reported with its line
 * instead of being guessed at, because a guessed fare row is worse than a refused one.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (the header is line 1). */
  line: number;
  values: string[];
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
  /** Problems with the text itself: line and message. */
  errors: Array<{ line: number; message: string }>;
}

/**
 * Reads records one at a time: `visit` gets each record after the header with the
 * line it starts on and the header (records whose field count differs from the header's are errors,
 * not visited). Returns the header and the errors.
 */
export function readCsv(text: string, visit: (values: string[], line: number, header: string[]) => void): Pick<CsvTable, 'header' | 'errors'> {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const errors: CsvTable['errors'] = [];
  let header: string[] | undefined;
  const deliver = (values: string[], startLine: number): void => {
    if (values.length === 1 && values[0] === '') return;
    if (!header) header = values.map((name) => name.trim());
    else if (values.length !== header.length) errors.push({ line: startLine, message: `${values.length} fields where the header has ${header.length}` });
    else visit(values, startLine, header);
  };
  let line = 1;
  let pos = 0;
  while (pos < source.length) {
    const startLine = line;
    const values: string[] = [];
    let ended = false;
    while (!ended) {
      let value = '';
      if (source[pos] === '"') {
        pos++;
        for (;;) {
          if (pos >= source.length) {
            errors.push({ line: startLine, message: 'a quoted field is not closed' });
            return { header: header ?? [], errors };
          }
          const char = source[pos]!;
          if (char === '"') {
            if (source[pos + 1] === '"') {
              value += '"';
              pos += 2;
              continue;
            }
            pos++;
            break;
          }
          if (char === '\n') line++;
          value += char;
          pos++;
        }
        const next = source[pos];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          errors.push({ line, message: 'text after a closing quote (a quote inside a field must be doubled)' });
          while (pos < source.length && source[pos] !== '\n') pos++;
        }
      } else {
        let end = pos;
        while (end < source.length && source[end] !== ',' && source[end] !== '\n' && source[end] !== '\r') end++;
        value = source.slice(pos, end);
        if (value.includes('"')) errors.push({ line, message: 'a quote inside an unquoted field' });
        pos = end;
      }
      values.push(value);
      const sep = source[pos];
      if (sep === ',') {
        pos++;
      } else {
        if (sep === '\r') pos++;
        if (source[pos] === '\n') pos++;
        line++;
        ended = true;
      }
    }
    deliver(values, startLine);
  }
  return { header: header ?? [], errors };
}

export function parseCsv(text: string): CsvTable {
  const records: CsvRecord[] = [];
  const { header, errors } = readCsv(text, (values, line) => records.push({ line, values }));
  return { header, records, errors: errors.sort((a, b) => a.line - b.line) };
}
