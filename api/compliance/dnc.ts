import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { inTransaction } from '../../infra/db';
import { maskMsisdn } from '../../domain/compliance/masking';
import { actorText, DNC_SOURCES, normalizeMsisdn } from '../../domain/compliance/numbers';
import { text } from '../../domain/text';
import { addToRegister, REMOVE_FROM_REGISTER, type DncRow } from '../../db/compliance/dnc-sql';
import { stageNumbers } from '../../db/compliance/number-staging';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound, ruleBroken, rules } from '../errors';
import { CSV_BODY_LIMIT, FILE_ANSWERS, jsonOrCsv, jsonOrFile, readNumberFile, takeCsvBodies } from './number-files';

const Msisdn = z.string().min(1).max(40).describe('a mobile number: 11 digits starting with 1 (spaces, dashes and a +86 prefix are taken off)');

const Entry = z.object({
  id: z.string(),
  msisdn: z.string().describe('masked, unless the request named the number'),
  reason: z.string(),
  source: z.enum(DNC_SOURCES),
  sourceRef: z.string().nullable().describe("a file's request id (see GET /audit), or campaign/<id>/lead/<id> for a lead stopped with do-not-call"),
  addedBy: z.string().nullable(),
  addedAt: z.string(),
  removed: z.object({ at: z.string(), by: z.string(), reason: z.string() }).nullable().describe('null while the entry is in force'),
});

const Added = z.object({
  received: z.number().int().describe('distinct numbers in the request'),
  added: z.number().int(),
  alreadyOnRegister: z.number().int().describe('numbers with an entry in force already: left as they are'),
});

/** The number as stored, or a 422 naming the field. */
function number(raw: string, path: string): string {
  const n = normalizeMsisdn(raw);
  if ('problem' in n) throw ruleBroken(path, n.problem);
  return n.msisdn;
}

const view = (r: DncRow, reveal: boolean): z.infer<typeof Entry> => ({
  id: r.id, msisdn: reveal ? r.msisdn : maskMsisdn(r.msisdn), reason: r.reason, source: r.source as z.infer<typeof Entry>['source'],
  sourceRef: r.source_ref, addedBy: r.added_by, addedAt: r.added_at.toISOString(),
  removed: r.removed_at ? { at: r.removed_at.toISOString(), by: r.removed_by!, reason: r.removed_reason! } : null,
});

/**
 * The do-not-call register: numbers that no campaign calls, whoever owns them. Adding is for the
 * people who hear the requests (marketing, qa); taking a number off is rare, an admin's, with a
 * reason, and keeps the entry (its period stays evidence for the audit). Reads show numbers
 * masked, but the one a lookup names.
 */
export const dncRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  takeCsvBodies(app);

  app.get('/dnc', {
    config: { roles: ['marketing', 'qa'] },
    schema: {
      tags: ['compliance'],
      summary: 'The register, newest first (numbers masked), or every entry of one number, removed ones included',
      querystring: z.strictObject({
        msisdn: Msisdn.optional().describe('look one number up: its entries, in force or removed, with the number shown'),
        source: z.enum(DNC_SOURCES).optional(),
        removed: z.enum(['exclude', 'include', 'only']).default('exclude').describe('entries taken off the register (kept as evidence)'),
        before: z.string().regex(/^\d{1,18}$/, 'an entry id').optional().describe('the last entry id of the previous page'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: {
        200: z.object({ onRegister: z.boolean().nullable().describe('with msisdn: whether an entry is in force now'), entries: z.array(Entry), next: z.string().nullable() }),
        ...rules('msisdn: a mobile number'),
      },
    },
  }, async (request) => {
    const q = request.query;
    const msisdn = q.msisdn === undefined ? null : number(q.msisdn, 'querystring.msisdn');
    const { rows } = await deps.db.query<DncRow>(
      `SELECT * FROM dnc_numbers
        WHERE ($1::text IS NULL OR msisdn = $1) AND ($2::text IS NULL OR source = $2)
          AND CASE $3 WHEN 'exclude' THEN removed_at IS NULL WHEN 'only' THEN removed_at IS NOT NULL ELSE true END
          AND ($4::bigint IS NULL OR id < $4)
        ORDER BY id DESC LIMIT $5`,
      [msisdn, q.source ?? null, msisdn ? 'include' : q.removed, q.before ?? null, q.limit]);
    return {
      onRegister: msisdn ? rows.some((r) => r.removed_at === null) : null,
      entries: rows.map((r) => view(r, msisdn !== null)),
      next: rows.length === q.limit ? rows.at(-1)!.id : null,
    };
  });

  app.post('/dnc', {
    config: { roles: ['marketing', 'qa'] },
    bodyLimit: CSV_BODY_LIMIT,
    schema: {
      tags: ['compliance'],
      summary: 'Put one number (JSON) or a CSV file of numbers (text/csv) on the register; a repeat changes nothing',
      description: 'A file is loaded whole or not at all: a bad line is a 422 naming each bad line by its number (the header is line 1). '
        + 'Numbers already on the register keep their entry. Each entry records who added it and its source (api, file with the request id).',
      body: jsonOrCsv(z.strictObject({ msisdn: Msisdn, reason: text(1, 500).optional() })),
      response: { 200: Added, ...FILE_ANSWERS, ...rules('msisdn: a mobile number', "a file's every line: a mobile number and a reason of at most 500 characters") },
    },
  }, async (request) => {
    const body = jsonOrFile<{ msisdn: string; reason?: string }>(request.body);
    const isFile = 'file' in body;
    const rows = 'file' in body
      ? readNumberFile(body.file)
      : [{ msisdn: number(body.json.msisdn, 'body.msisdn'), reason: body.json.reason ?? null }];
    const added = await inTransaction(deps.db, async (tx) => {
      const staged = await stageNumbers(tx, rows);
      const { rowCount } = await tx.query(addToRegister(staged), [isFile ? 'file' : 'api', isFile ? request.id : null, actorText(request.actor!)]);
      return rowCount ?? 0;
    });
    return { received: rows.length, added, alreadyOnRegister: rows.length - added };
  });

  app.delete('/dnc', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['compliance'],
      summary: 'Take a number off the register (rare: an entry made by mistake), with the reason; the entry is kept, closed',
      body: z.strictObject({ msisdn: Msisdn, reason: text(1, 500).describe('why: kept on the entry, and the request in the audit log') }),
      response: { 200: z.object({ removed: Entry }), 404: ErrorBody.describe('the number has no entry in force'), ...rules('msisdn: a mobile number') },
    },
  }, async (request) => {
    const msisdn = number(request.body.msisdn, 'body.msisdn');
    const { rows: [row] } = await deps.db.query<DncRow>(REMOVE_FROM_REGISTER, [msisdn, actorText(request.actor!), request.body.reason]);
    if (!row) throw notFound('an entry in force for this number');
    return { removed: view(row, true) };
  });
};
