import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { HttpError } from './errors';

/** A line of a file that breaks a rule: its number (the header is line 1) and why. */
export interface FileLineProblem {
  line: number;
  message: string;
}

/** A file's record: its line number and its fields by column name. */
export interface FileRecord {
  line: number;
  fields: Record<string, string>;
}

/**
 * The answer for a file with bad lines: a 422 naming each by its number, and why; `done` says
 * what was not done with the file ("written", "loaded").
 */
export function badLines(problems: readonly FileLineProblem[], done = 'written'): HttpError {
  return new HttpError(422, 'rule', `the file has ${problems.length === 1 ? 'a bad line' : 'bad lines'}, so nothing of it was ${done}: `
    + problems.slice(0, 5).map((p) => `line ${p.line}: ${p.message}`).join('; ') + (problems.length > 5 ? '; …' : ''),
  problems.map((p) => ({ path: `body.line.${p.line}`, message: p.message })));
}

/**
 * A CSV file's records by its header's (lower-cased) column names, read with csv-parse (quotes, a
 * BOM, CRLF, empty lines, a line leaving its last fields out); a header `headerProblem` refuses, or
 * a line the reader cannot read at all (a quote left open, more fields than the header), is a 422.
 */
export function readCsvRecords(
  text: string, headerProblem: (columns: string[]) => string | undefined, opts: { trim?: boolean; done?: string } = {},
): FileRecord[] {
  try {
    const parsed = parse(text, {
      bom: true, info: true, skip_empty_lines: true, relax_column_count_less: true, trim: opts.trim ?? false,
      columns: (header: string[]) => {
        const columns = header.map((c) => String(c).trim().toLowerCase());
        const problem = headerProblem(columns);
        if (problem) throw badLines([{ line: 1, message: problem }], opts.done);
        return columns;
      },
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
    return parsed.map((r) => ({ line: r.info.lines, fields: r.record }));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof CsvError) throw badLines([{ line: typeof err.lines === 'number' ? err.lines : 1, message: err.message }], opts.done);
    throw err;
  }
}
