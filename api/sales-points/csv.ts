import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { z } from 'zod';
import type { CsvRecord, LineProblem } from '../../domain/sales-points/organisation';
import { ErrorBody, HttpError } from '../errors';

/** A sales-points file (staff, sales): at most 8 MB, some 100k lines. */
export const SALES_CSV_LIMIT = 8 * 1024 * 1024;

/** The CSV body's schema, with what its header names. */
export const csvBody = (header: string) => ({
  content: {
    'text/csv': {
      schema: z.string().max(SALES_CSV_LIMIT).describe(`A CSV file, UTF-8 with or without a BOM, its header line: \`${header}\` (docs/sales-points.md). `
        + 'A bad line is a 422 naming every bad line by its number (the header is line 1), and nothing of the file is written.'),
    },
  },
});

export const CSV_ANSWERS = {
  413: ErrorBody.describe('The body is larger than 8 MB.'),
  415: ErrorBody.describe('The body is not a CSV file (text/csv).'),
};

/** The answer for a file with bad lines: each named by its line number, and why. */
export function badLines(problems: readonly LineProblem[]): HttpError {
  return new HttpError(422, 'rule', `the file has ${problems.length === 1 ? 'a bad line' : 'bad lines'}, so nothing of it was written: `
    + problems.slice(0, 5).map((p) => `line ${p.line}: ${p.message}`).join('; ') + (problems.length > 5 ? '; …' : ''),
  problems.map((p) => ({ path: `body.line.${p.line}`, message: p.message })));
}

/**
 * A file's records by its header's (lower-cased) column names, read with csv-parse (quotes, a BOM,
 * CRLF, empty lines); a header the check refuses, or a line the reader cannot read, is a 422.
 */
export function readCsv(body: unknown, headerProblem: (columns: string[]) => string | undefined): CsvRecord[] {
  if (typeof body !== 'string') throw new HttpError(400, 'validation', 'body: required, a CSV file (text/csv)', [{ path: 'body', message: 'required' }]);
  try {
    const parsed = parse(body, {
      bom: true, info: true, skip_empty_lines: true, relax_column_count_less: true,
      columns: (header: string[]) => {
        const columns = header.map((c) => String(c).trim().toLowerCase());
        const problem = headerProblem(columns);
        if (problem) throw badLines([{ line: 1, message: problem }]);
        return columns;
      },
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
    return parsed.map((r) => ({ line: r.info.lines, fields: r.record }));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof CsvError) throw badLines([{ line: typeof err.lines === 'number' ? err.lines : 1, message: err.message }]);
    throw err;
  }
}
