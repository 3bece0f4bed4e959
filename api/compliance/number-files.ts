import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkNumberRecords, headerProblem, type NumberRecord, type NumberRow } from '../../domain/compliance/numbers';
import { badLines, readCsvRecords } from '../csv-files';
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

/**
 * A number file read with csv-parse (quotes, a BOM, CRLF, empty lines), each record checked
 * (domain/compliance/numbers.ts): the rows to load, or a 422 naming the bad lines. A line the
 * reader cannot read at all (a quote left open, more fields than the header) is reported by its
 * number too.
 */
export function readNumberFile(text: string): NumberRow[] {
  // a line may leave the reason out
  const records: NumberRecord[] = readCsvRecords(text, headerProblem, { trim: true, done: 'loaded' });
  const { rows, problems } = checkNumberRecords(records);
  if (problems.length) throw badLines(problems, 'loaded');
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
