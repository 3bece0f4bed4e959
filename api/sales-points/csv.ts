import { z } from 'zod';
import type { CsvRecord } from '../../domain/sales-points/organisation';
import { readCsvRecords } from '../csv-files';
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

export { badLines } from '../csv-files';

/**
 * A file's records by its header's (lower-cased) column names, read with csv-parse (quotes, a BOM,
 * CRLF, empty lines); a header the check refuses, or a line the reader cannot read, is a 422.
 */
export function readCsv(body: unknown, headerProblem: (columns: string[]) => string | undefined): CsvRecord[] {
  if (typeof body !== 'string') throw new HttpError(400, 'validation', 'body: required, a CSV file (text/csv)', [{ path: 'body', message: 'required' }]);
  return readCsvRecords(body, headerProblem);
}
