import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { COST_CATEGORIES, COST_CATEGORY_NAMES } from '../../domain/reports/roi';
import { actorText } from '../../domain/compliance/numbers';
import type { AppDeps } from '../deps';
import { ErrorBody, rules, ruleBroken } from '../errors';
import { isCalendarDay } from './report-query';

const DATE = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date, YYYY-MM-DD');
const Category = z.enum(COST_CATEGORY_NAMES as [string, ...string[]]).describe(
  Object.entries(COST_CATEGORIES).map(([c, m]) => `${c}: ${m}`).join('; '));
const Rate = z.object({
  category: Category, scope: z.string(), amount: z.number(), effectiveFrom: z.string(), setBy: z.string(), setAt: z.string(), note: z.string().nullable(),
});
const SCOPED: Record<string, string> = { 'agent-hour': 'team', 'delivery-attempt': 'courier', 'goods-item': 'item code' };

interface RateRow { category: string; scope: string; amount: string; effective_from: string; set_by: string; set_at: Date; note: string | null }
const toRate = (r: RateRow) => ({
  category: r.category, scope: r.scope, amount: Number(r.amount), effectiveFrom: r.effective_from, setBy: r.set_by, setAt: r.set_at.toISOString(), note: r.note,
});
const COLUMNS = `category, scope, amount, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, set_by, set_at, note`;

/** Finance's cost rates: effective-dated, a change applies from its day and the earlier ones stay. */
export const costRateRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.put('/cost-rates', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['reports'],
      summary: 'Set cost rates from a day on (yuan); the rates before that day stay as they were. A repeat changes nothing',
      body: z.strictObject({
        effectiveFrom: DATE.describe('The first day the rates apply to'),
        rates: z.array(z.strictObject({
          category: Category,
          scope: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes').optional()
            .describe('A team (agent-hour), a courier (delivery-attempt) or an item code (goods-item); none: the rate for all the others'),
          amount: z.number().nonnegative().max(1_000_000),
        })).min(1).max(100),
        note: z.string().max(500).optional(),
      }),
      response: { 200: z.object({ effectiveFrom: z.string(), rates: z.array(Rate) }), 400: ErrorBody, ...rules('a scope only for agent-hour, delivery-attempt and goods-item', 'each category and scope once') },
    },
  }, async (request) => {
    const { effectiveFrom, rates, note } = request.body;
    if (!isCalendarDay(effectiveFrom)) throw ruleBroken('body.effectiveFrom', `${effectiveFrom} is not a day of the calendar`);
    const seen = new Set<string>();
    rates.forEach((r, i) => {
      if (r.scope && !SCOPED[r.category]) throw ruleBroken(`body.rates.${i}.scope`, `${r.category} has no scope (scopes: ${Object.entries(SCOPED).map(([c, s]) => `${s} for ${c}`).join(', ')})`);
      const key = `${r.category}/${r.scope ?? ''}`;
      if (seen.has(key)) throw ruleBroken(`body.rates.${i}`, `${key} given twice`);
      seen.add(key);
    });
    await deps.db.query(
      `INSERT INTO cost_rates (category, scope, effective_from, amount, set_by, note)
       SELECT c, s, $3::date, a, $5, $6 FROM unnest($1::text[], $2::text[], $4::numeric[]) AS r(c, s, a)
       ON CONFLICT (category, scope, effective_from) DO UPDATE SET amount = EXCLUDED.amount, set_by = EXCLUDED.set_by, set_at = now(), note = EXCLUDED.note
         WHERE (cost_rates.amount, cost_rates.note) IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.note)`,
      [rates.map((r) => r.category), rates.map((r) => r.scope ?? ''), effectiveFrom, rates.map((r) => r.amount), actorText(request.actor!), note ?? null]);
    const { rows: all } = await deps.db.query<RateRow>(
      `SELECT ${COLUMNS} FROM cost_rates WHERE effective_from = $1 ORDER BY category, scope`, [effectiveFrom]);
    return { effectiveFrom, rates: all.map(toRate) };
  });

  app.get('/cost-rates', {
    config: { roles: ['finance', 'marketing'] },
    schema: {
      tags: ['reports'],
      summary: 'The cost rates in force on a day (today unless given), and every rate ever set',
      querystring: z.strictObject({ at: DATE.optional() }),
      response: { 200: z.object({ at: z.string(), inForce: z.array(Rate), history: z.array(Rate) }), 400: ErrorBody, ...rules('at is a day of the calendar') },
    },
  }, async (request) => {
    const at = request.query.at ?? new Date().toISOString().slice(0, 10);
    if (!isCalendarDay(at)) throw ruleBroken('querystring.at', `${at} is not a day of the calendar`);
    const [inForce, history] = await Promise.all([
      deps.db.query<RateRow>(
        `SELECT DISTINCT ON (category, scope) ${COLUMNS} FROM cost_rates WHERE effective_from <= $1::date
          ORDER BY category, scope, effective_from DESC`, [at]),
      deps.db.query<RateRow>(`SELECT ${COLUMNS} FROM cost_rates ORDER BY category, scope, effective_from`),
    ]);
    return { at, inForce: inForce.rows.map(toRate), history: history.rows.map(toRate) };
  });
};
