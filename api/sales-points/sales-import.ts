import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { SALES_CSV_OPTIONAL, SALES_CSV_REQUIRED, checkSaleRecords, salesHeaderProblem, type RefusedLine } from '../../domain/sales-points/entries';
import type { SellerStaff } from '../../domain/sales-points/entries';
import { catalogueForSales, monthsShut, shutMessage } from '../../db/sales-points/catalogue-sql';
import { entriesByKeys, recordSales } from '../../db/sales-points/entries-sql';
import { inTransaction } from '../../infra/db';
import type { AppDeps } from '../deps';
import { ErrorBody, conflict, rules } from '../errors';
import { CSV_ANSWERS, SALES_CSV_LIMIT, badLines, csvBody, readCsv } from './csv';
import { FirstEntry, firstEntry, isClosedMonth, oneEntryRule } from './sales';
import { shareMonths } from '../../db/sales-points/month-lock';

const SALES_HEADER = [...SALES_CSV_REQUIRED, ...SALES_CSV_OPTIONAL].join(',');
const Refused = z.object({
  line: z.number().int(), reason: z.enum(['duplicate-in-file', 'already-recorded', 'month-closed']), message: z.string(),
  firstEntry: FirstEntry.optional().describe('already-recorded: whose entry came first'),
});

/**
 * Sales from a file: a bad line (a field wrong, an unknown staff member or service, a sale in the
 * future) refuses the whole file; a good line the one-entry rule or a closed month holds back is
 * listed with its reason, and the others are recorded, in one transaction.
 */
export const salesImportRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;

  app.post('/sales/import', {
    config: { roles: ['staff', 'agent'] },
    bodyLimit: SALES_CSV_LIMIT,
    schema: {
      tags: ['sales-points'],
      summary: 'Record sales from a CSV file: the good lines recorded, the refused ones listed with their reason (one entry per number, service and month)',
      description: `The header: \`${SALES_HEADER}\`; sold_at (ISO 8601 with its offset; empty: now), sale_channel and customer_id may be empty or left out. `
        + 'An admin records anyone\'s sales; staff and agents their own only (staff_id theirs or empty). A bad line refuses the whole file (422, every bad '
        + 'line named). A line of a number, service and month recorded already (by an entry or an earlier line of the file), or in a closed month, is refused '
        + 'and listed with the reason and the first entry\'s owner; the other lines are recorded.',
      body: csvBody(SALES_HEADER),
      response: {
        200: z.object({ lines: z.number().int(), recorded: z.number().int(), refused: z.array(Refused) }),
        ...CSV_ANSWERS, 400: ErrorBody, 409: ErrorBody.describe('a month closed while the file was recorded: send it again'),
        ...rules('every line: an active staff member (the caller, unless an admin), a service sellable on the sale\'s day with terms in force, a mobile number, a time not in the future, a customer we have'),
      },
    },
  }, async (request) => {
    const actor = request.actor!;
    const records = readCsv(request.body, salesHeaderProblem);
    const ids = [...new Set(records.map((r) => (r.fields.staff_id ?? '').trim() || actor.sub))];
    const codes = [...new Set(records.map((r) => (r.fields.service_code ?? '').trim().toLowerCase()))];
    const [staffRows, services] = await Promise.all([
      db.query<SellerStaff>('SELECT id, active FROM staff WHERE id = ANY($1::text[])', [ids]),
      catalogueForSales(db, codes),
    ]);
    const checked = checkSaleRecords(records, {
      staff: new Map(staffRows.rows.map((s) => [s.id, s])), services, now: new Date(), timeZone: deps.config.OPERATOR_TIME_ZONE, caller: actor,
    });
    const customerIds = [...new Set(checked.lines.flatMap((l) => (l.customerId ? [l.customerId] : [])))];
    const known = new Set((await db.query<{ id: string }>('SELECT id FROM customers WHERE id = ANY($1::bigint[]) AND erased_at IS NULL', [customerIds])).rows.map((r) => Number(r.id)));
    const problems = [...checked.problems, ...checked.lines.filter((l) => l.customerId && !known.has(l.customerId)).map((l) => ({ line: l.line, message: `customer_id: no customer ${l.customerId}` }))];
    if (problems.length) throw badLines(problems.sort((a, b) => a.line - b.line).slice(0, 100));

    const refused: (RefusedLine & { firstEntry?: z.infer<typeof FirstEntry> })[] = [...checked.refused];
    const recordedBy = actorText(actor);
    try {
      const recorded = await inTransaction(db, async (tx) => {
        await shareMonths(tx, checked.lines.map((l) => l.month));
        const shut = await monthsShut(tx, [...new Set(checked.lines.map((l) => `${l.month}-01`))]);
        const open = checked.lines.filter((l) => {
          const status = shut.get(l.month);
          if (!status) return true;
          refused.push({ line: l.line, reason: 'month-closed', message: shutMessage(l.month, status) });
          return false;
        });
        const done = await recordSales(tx, open.map((l) => ({ ...l, source: 'csv' as const, recordedBy })));
        const held = open.filter((l) => !done.has(`${l.msisdn}/${l.serviceCode}/${l.month}`));
        const owners = await entriesByKeys(tx, held);
        for (const l of held) {
          const first = owners.get(`${l.msisdn}/${l.serviceCode}/${l.month}`);
          refused.push(first
            ? { line: l.line, reason: 'already-recorded', message: oneEntryRule(first), firstEntry: firstEntry(first) }
            : { line: l.line, reason: 'already-recorded', message: 'one entry per customer per service per month: recorded already' });
        }
        return done.size;
      });
      return { lines: records.length, recorded, refused: refused.sort((a, b) => a.line - b.line) };
    } catch (err) {
      if (isClosedMonth(err)) throw conflict('a month of the file was closed meanwhile: nothing was recorded; send the file again');
      throw err;
    }
  });
};
