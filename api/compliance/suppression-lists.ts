import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { inTransaction } from '../../infra/db';
import { maskMsisdn } from '../../domain/compliance/masking';
import { actorText, LIST_ID_PATTERN, normalizeMsisdn } from '../../domain/compliance/numbers';
import { text } from '../../domain/text';
import { stageNumbers } from '../../db/compliance/number-staging';
import type { AppDeps } from '../deps';
import { conflict, ErrorBody, notFound, ruleBroken, rules } from '../errors';
import { CSV_BODY_LIMIT, FILE_ANSWERS, jsonOrCsv, jsonOrFile, readNumberFile, takeCsvBodies } from './number-files';

const ListId = z.string().regex(LIST_ID_PATTERN, 'lower-case letters, digits and dashes, 2-63 chars');
const Params = z.strictObject({ id: ListId });
const Msisdn = z.string().min(1).max(40).describe('a mobile number: 11 digits starting with 1 (spaces, dashes and a +86 prefix are taken off)');
const List = z.object({
  id: z.string(), name: z.string(), createdBy: z.string(), createdAt: z.string(),
  numbers: z.number().int(), campaigns: z.array(z.string()).describe('the campaigns that use it'),
});
type ListRow = { id: string; name: string; created_by: string; created_at: Date; numbers: string; campaigns: string[] };

const LISTS = `SELECT l.*, (SELECT count(*) FROM suppression_numbers n WHERE n.list_id = l.id) AS numbers,
         ARRAY(SELECT k.campaign_id FROM campaign_suppression_lists k WHERE k.list_id = l.id ORDER BY k.campaign_id) AS campaigns
    FROM suppression_lists l`;
const view = (r: ListRow): z.infer<typeof List> => ({
  id: r.id, name: r.name, createdBy: r.created_by, createdAt: r.created_at.toISOString(), numbers: Number(r.numbers), campaigns: r.campaigns,
});

function number(raw: string, path: string): string {
  const n = normalizeMsisdn(raw);
  if ('problem' in n) throw ruleBroken(path, n.problem);
  return n.msisdn;
}

/**
 * Campaigns' own suppression lists: named lists of numbers a campaign leaves off its list pull
 * and refuses at the moment of dialing (its definition names the lists it uses). Marketing's, like
 * the campaigns; numbers are shown masked.
 */
export const suppressionListRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;
  takeCsvBodies(app);
  const find = async (id: string) => (await db.query<ListRow>(`${LISTS} WHERE l.id = $1`, [id])).rows[0];

  app.post('/suppression-lists', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['compliance'],
      summary: 'Create a suppression list (201; the same id and name again: 200)',
      body: z.strictObject({ id: ListId, name: text(1, 200) }),
      response: { 200: List, 201: List, 409: ErrorBody.describe('the id names a list of another name') },
    },
  }, async (request, reply) => {
    const { id, name } = request.body;
    const { rowCount } = await db.query(
      'INSERT INTO suppression_lists (id, name, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, name, actorText(request.actor!)]);
    const list = (await find(id))!;
    if (list.name !== name) throw conflict(`suppression list '${id}' exists with another name`);
    reply.header('location', `/suppression-lists/${id}`);
    return reply.status(rowCount ? 201 : 200).send(view(list));
  });

  app.get('/suppression-lists', {
    config: { roles: ['marketing'] },
    schema: { tags: ['compliance'], summary: 'The suppression lists, with how many numbers each holds and the campaigns that use it', response: { 200: z.object({ lists: z.array(List) }) } },
  }, async () => ({ lists: (await db.query<ListRow>(`${LISTS} ORDER BY l.id LIMIT 1000`)).rows.map(view) }));

  app.get('/suppression-lists/:id', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['compliance'],
      summary: 'One list and its numbers (masked), or whether it holds one number',
      params: Params,
      querystring: z.strictObject({
        msisdn: Msisdn.optional().describe('whether the list holds this number'),
        offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: {
        200: List.extend({ holds: z.boolean().nullable(), entries: z.array(z.object({ msisdn: z.string(), addedBy: z.string(), addedAt: z.string() })) }),
        ...rules('msisdn: a mobile number'),
      },
    },
  }, async (request) => {
    const list = await find(request.params.id);
    if (!list) throw notFound(`suppression list '${request.params.id}'`);
    const q = request.query;
    const msisdn = q.msisdn === undefined ? null : number(q.msisdn, 'querystring.msisdn');
    const { rows } = await db.query<{ msisdn: string; added_by: string; added_at: Date }>(
      `SELECT msisdn, added_by, added_at FROM suppression_numbers WHERE list_id = $1 AND ($2::text IS NULL OR msisdn = $2)
          ORDER BY msisdn OFFSET $3 LIMIT $4`,
      [list.id, msisdn, q.offset, q.limit]);
    return {
      ...view(list), holds: msisdn ? rows.length > 0 : null,
      entries: rows.map((r) => ({ msisdn: msisdn ? r.msisdn : maskMsisdn(r.msisdn), addedBy: r.added_by, addedAt: r.added_at.toISOString() })),
    };
  });

  app.post('/suppression-lists/:id/numbers', {
    config: { roles: ['marketing'] },
    bodyLimit: CSV_BODY_LIMIT,
    schema: {
      tags: ['compliance'],
      summary: 'Add one number (JSON) or a CSV file of numbers (text/csv) to a list; a repeat changes nothing',
      description: 'A file is loaded whole or not at all: a bad line is a 422 naming each bad line by its number (the header is line 1).',
      params: Params,
      body: jsonOrCsv(z.strictObject({ msisdn: Msisdn })),
      response: {
        200: z.object({ received: z.number().int(), added: z.number().int(), alreadyOnList: z.number().int() }),
        ...FILE_ANSWERS,
        ...rules('msisdn: a mobile number', "a file's every line: a mobile number"),
      },
    },
  }, async (request) => {
    const list = await find(request.params.id);
    if (!list) throw notFound(`suppression list '${request.params.id}'`);
    const body = jsonOrFile<{ msisdn: string }>(request.body);
    const rows = 'file' in body ? readNumberFile(body.file) : [{ msisdn: number(body.json.msisdn, 'body.msisdn'), reason: null }];
    const added = await inTransaction(db, async (tx) => {
      const staged = await stageNumbers(tx, rows);
      const { rowCount } = await tx.query(
        `INSERT INTO suppression_numbers (list_id, msisdn, added_by) SELECT $1, s.msisdn, $2 FROM ${staged} s ON CONFLICT DO NOTHING`,
        [list.id, actorText(request.actor!)]);
      return rowCount ?? 0;
    });
    return { received: rows.length, added, alreadyOnList: rows.length - added };
  });

  app.delete('/suppression-lists/:id/numbers', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['compliance'],
      summary: 'Take a number off a list: the campaigns that use it may call it again from their next attempt',
      params: Params,
      body: z.strictObject({ msisdn: Msisdn }),
      response: { 200: z.object({ removed: z.literal(true) }), 404: ErrorBody, ...rules('msisdn: a mobile number') },
    },
  }, async (request) => {
    const msisdn = number(request.body.msisdn, 'body.msisdn');
    const { rowCount } = await db.query('DELETE FROM suppression_numbers WHERE list_id = $1 AND msisdn = $2', [request.params.id, msisdn]);
    if (!rowCount) throw notFound(`the number on suppression list '${request.params.id}'`);
    return { removed: true as const };
  });
};
