import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { z } from 'zod';
import { checkNumberRecords, headerProblem, type LineProblem, type NumberRecord, type NumberRow } from '../../domain/compliance/numbers';
import { ErrorBody, HttpError } from '../errors';

/** The media type of a file of numbers. */
export const CSV = 'text/csv';
/** A file of numbers may be larger than a JSON request: about a million lines. */
export const CSV_BODY_LIMIT = 32 * 1024 * 1024;

/** Takes `text/csv` bodies as text, for the routes of the plugin that calls it. */
export function takeCsvBodies(app: FastifyInstance): void {
  app.addContentTypeParser(CSV, { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT }, (_request, body, done) => done(null, body));
}

/** The CSV body's schema: text (its lines are checked by readNumberFile, with their numbers). */
export const CsvBody = z.string().max(CSV_BODY_LIMIT).describe(
  'A CSV file with a header line naming `msisdn` and optionally `reason`, one number a line. A bad line is a 422 '
  + 'naming every bad line by its number (the header is line 1), and nothing of the file is loaded.');

/** What a route taking a number file answers beyond the shared answers (api/answers.ts) for its size and type. */
export const FILE_ANSWERS = {
  413: ErrorBody.describe('The body is larger than 32 MB.'),
  415: ErrorBody.describe('The body is neither JSON (application/json) nor a CSV file (text/csv).'),
};

/** A body either JSON (the schema given) or a CSV file, validated by Fastify per content type (api/app.ts documents both). */
export const jsonOrCsv = <T extends z.ZodType>(json: T) => ({
  content: { 'application/json': { schema: json }, [CSV]: { schema: CsvBody } },
});

/** The answer for a file with bad lines: each named by its line number, and why. */
function badLines(problems: LineProblem[]): HttpError {
  const err = new HttpError(422, 'rule', `the file has ${problems.length === 1 ? 'a bad line' : 'bad lines'}, so nothing of it was loaded: `
    + problems.slice(0, 5).map((p) => `line ${p.line}: ${p.message}`).join('; ') + (problems.length > 5 ? '; …' : ''),
  problems.map((p) => ({ path: `body.line.${p.line}`, message: p.message })));
  return err;
}

/**
 * A number file read with csv-parse (quotes, a BOM, CRLF, empty lines), each record checked
 * (domain/compliance/numbers.ts): the rows to load, or a 422 naming the bad lines. A line the
 * reader cannot read at all (a quote left open, more fields than the header) is reported by its
 * number too.
 */
export function readNumberFile(text: string): NumberRow[] {
  let records: NumberRecord[];
  try {
    const parsed = parse(text, {
      bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count_less: true, // a line may leave the reason out
      columns: (header: string[]) => {
        const columns = header.map((c) => String(c).trim().toLowerCase());
        const problem = headerProblem(columns);
        if (problem) throw badLines([{ line: 1, message: problem }]);
        return columns;
      },
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
    records = parsed.map((r) => ({ line: r.info.lines, fields: r.record }));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof CsvError) throw badLines([{ line: typeof err.lines === 'number' ? err.lines : 1, message: err.message }]);
    throw err;
  }
  const { rows, problems } = checkNumberRecords(records);
  if (problems.length) throw badLines(problems);
  return rows;
}

/**
 * The body of a route taking JSON or a file: the file's text, or the JSON object. Fastify checks a
 * body against the schema of its content type, and has none to check when no body came at all.
 */
export function jsonOrFile<T extends object>(body: unknown): { file: string } | { json: T } {
  if (typeof body === 'string') return { file: body };
  if (typeof body === 'object' && body !== null) return { json: body as T };
  throw new HttpError(400, 'validation', 'body: required, JSON (application/json) or a file (text/csv)', [{ path: 'body', message: 'required' }]);
}
