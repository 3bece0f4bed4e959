import { PassThrough, type Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { BILLING_ENCODINGS, BILLING_HEADER, MAX_LISTED_ERRORS } from '../../domain/sales-points/billing-file';
import { MonthSchema } from '../../domain/sales-points/month';
import { BillingFileRefused, BillingFileTooLarge, BillingMonthClosed, importBilling, listImports } from '../../db/sales-points/billing-import';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError } from '../errors';

/** Billing's list of a month can hold millions of lines: up to 1 GB, streamed into COPY, never held whole. */
export const BILLING_BODY_LIMIT = 1024 * 1024 * 1024;
const CSV = 'text/csv';

/**
 * The body of an upload: the request's bytes as they arrive. Kept out of sight (a private field)
 * of what walks a body's fields (api/nul-bytes.ts), which must not wander into a socket.
 */
class CsvUpload {
  readonly #stream: Readable;
  constructor(stream: Readable) { this.#stream = stream; }
  get stream(): Readable { return this.#stream; }
}

const UploadBody = z.any().meta({
  type: 'string',
  description: `Billing's list of the subscriptions active and paid in the month (docs/sales-points.md, "Billing's list"): CSV with the header `
    + `\`${BILLING_HEADER}\`, UTF-8 or GB18030, with or without a BOM, at most 1 GB. A bad line refuses the whole file (422, `
    + `each bad line by its number; the header is line 1).`,
});

const Imported = z.object({
  importId: z.number().int(), month: MonthSchema, rows: z.number().int(), encoding: z.enum(BILLING_ENCODINGS), sha256: z.string(), reused: z.boolean(),
});
const ImportRecord = z.object({
  importId: z.number().int(), month: MonthSchema, rows: z.number().int(), encoding: z.enum(BILLING_ENCODINGS), sha256: z.string(),
  source: z.enum(['bss-export', 'upload']), fileName: z.string().nullable(), importedBy: z.string(), importedAt: z.string(),
});
const Refused = ErrorBody.extend({
  errors: z.array(z.object({ line: z.number().int(), field: z.string().optional(), message: z.string() }))
    .describe(`the first ${MAX_LISTED_ERRORS} faults, by line (the header is line 1) and column`),
});

/** An upload that sends nothing for this long is given up: its transaction, lock and connection are let go. */
const UPLOAD_IDLE_MS = 60_000;

class UploadStalled extends Error {}

/** The upload's bytes, or an UploadStalled error once none came for `ms` (a client gone quiet mid-file). */
function idleGuarded(stream: Readable, ms: number): Readable {
  const out = new PassThrough();
  let timer: NodeJS.Timeout | undefined;
  const stop = () => clearTimeout(timer);
  const arm = () => {
    stop();
    timer = setTimeout(() => {
      out.destroy(new UploadStalled(`the upload sent nothing for ${ms / 1000} s: given up, nothing of it kept`));
      stream.destroy();
    }, ms);
  };
  arm();
  stream.on('data', arm);
  stream.on('end', stop);
  stream.on('error', (err) => {
    stop();
    out.destroy(err);
  });
  out.on('close', stop);
  return stream.pipe(out);
}

/** Finance's imports of billing's list: a file dropped by a person works as the BSS's export does. */
export const billingImportRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  // This plugin's routes take text/csv alone, as a stream (no other media type, no buffering).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(CSV, (_request, payload, done) => done(null, new CsvUpload(payload as Readable)));

  app.post('/sales-points/billing-imports', {
    config: { roles: ['finance'] },
    bodyLimit: BILLING_BODY_LIMIT,
    schema: {
      tags: ['sales-points'],
      summary: "Import billing's list of a month's active subscriptions (CSV); the same bytes as the month's latest import are that import again",
      description: 'The file is loaded whole or not at all. The reconciliation of the month uses its latest import. '
        + 'Answers 201 with the new import, or 200 with the latest one when the file is the same bytes (sha256) as it.',
      querystring: z.strictObject({
        month: MonthSchema,
        encoding: z.enum(BILLING_ENCODINGS).optional().describe('what the file is in when it has no BOM (a BOM wins); none: UTF-8 if it reads as UTF-8, else GB18030'),
        fileName: z.string().min(1).max(200).optional().describe('the file\'s name, kept with the import (or the x-file-name header)'),
      }),
      headers: z.object({ 'x-file-name': z.string().min(1).max(200).optional() }),
      body: { content: { [CSV]: { schema: UploadBody } } },
      response: {
        200: Imported.describe('the same bytes as the month\'s latest import: that import, nothing loaded again'),
        201: Imported.describe('imported'),
        409: ErrorBody.describe('the month is closed: its figures never change'),
        413: ErrorBody.describe('The body is larger than 1 GB.'),
        408: ErrorBody.describe('The upload sent nothing for a minute: given up, nothing of it kept.'),
        415: ErrorBody.describe('The body is not a CSV file (Content-Type: text/csv).'),
        422: Refused.describe('Well-formed, but breaks a rule: the header and every line in billing\'s format (docs/sales-points.md, "Billing\'s list"). '
          + 'The file is refused whole, nothing of it used; `errors` (and `issues`) name each bad line by its number, the header being line 1.'),
      },
    },
  }, async (request, reply) => {
    const upload = request.body as unknown;
    if (!(upload instanceof CsvUpload)) throw new HttpError(400, 'validation', 'body: required, a CSV file (text/csv)', [{ path: 'body', message: 'required' }]);
    if (Number(request.headers['content-length'] ?? 0) > BILLING_BODY_LIMIT) throw new BillingFileTooLarge(BILLING_BODY_LIMIT);
    const { month, encoding } = request.query;
    const fileName = request.query.fileName ?? request.headers['x-file-name'];
    try {
      const imported = await importBilling(deps.db, idleGuarded(upload.stream, UPLOAD_IDLE_MS), {
        month, source: 'upload', fileName, by: actorText(request.actor!), encoding, maxBytes: BILLING_BODY_LIMIT,
      });
      return reply.code(imported.reused ? 200 : 201).send(imported);
    } catch (err) {
      if (err instanceof BillingFileRefused) {
        return reply.code(422).send({
          error: 'billing-file-refused', message: err.message, errors: err.errors,
          issues: err.errors.map((e) => ({ path: `body.line.${e.line}${e.field ? `.${e.field}` : ''}`, message: e.message })),
        });
      }
      if (err instanceof BillingFileTooLarge) throw new HttpError(413, 'too-large', err.message);
      if (err instanceof BillingMonthClosed) throw new HttpError(409, 'conflict', err.message);
      if (err instanceof UploadStalled) throw new HttpError(408, 'timeout', err.message);
      throw err;
    }
  });

  app.get('/sales-points/billing-imports', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: "A month's imports of billing's list, the latest (the one its reconciliation uses) first; no lines",
      querystring: z.strictObject({ month: MonthSchema }),
      response: { 200: z.object({ month: MonthSchema, imports: z.array(ImportRecord) }) },
    },
  }, async (request) => ({ month: request.query.month, imports: await listImports(deps.db, request.query.month) }));
};
