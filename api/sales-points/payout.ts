import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MonthSchema } from '../../domain/sales-points/month';
import { readRun } from '../../db/sales-points/run-sql';
import { readPayout } from '../../db/sales-points/payout-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, conflict } from '../errors';

const cents = (n: number) => n.toFixed(2);

/** The money of a closed month, to the person who sold: the bank's file. */
export const payoutRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/sales-points/runs/:month/payout.csv', {
    config: {
      roles: ['finance'],
      csvAnswers: {
        200: 'CSV `staff_id,name,bank_account_ref,points,amount_yuan`, a line per staff member with points in the month (UTF-8). '
          + 'amount_yuan = points × the run\'s yuan per point; a total of zero or less is listed with amount 0.00 (nothing is paid, '
          + 'nothing is carried). A staff member without a bank account reference is listed with it empty, so finance sees who '
          + 'cannot be paid yet. Headers: payout-staff (lines), payout-total-yuan, payout-missing-bank-refs (lines with an amount and no reference).',
      },
    },
    schema: {
      tags: ['sales-points'],
      summary: 'A closed month\'s payout file (CSV): staff, bank account reference, points, amount in yuan',
      params: z.strictObject({ month: MonthSchema }),
      response: { 409: ErrorBody.describe('The month is not approved and closed yet') },
    },
  }, async (request, reply) => {
    const { month } = request.params;
    const run = await readRun(deps.db, month);
    if (run?.status !== 'closed') throw conflict(`sales points month ${month} is ${run ? run.status : 'not reconciled'}; its payout comes once it is approved and closed`);
    const lines = await readPayout(deps.db, month, run.yuanPerPoint ?? 1);
    const total = lines.reduce((sum, l) => sum + Math.round(l.amountYuan * 100), 0) / 100;
    const missing = lines.filter((l) => l.amountYuan > 0 && !l.bankAccountRef).length;
    const csv = stringify([
      ['staff_id', 'name', 'bank_account_ref', 'points', 'amount_yuan'],
      ...lines.map((l) => [l.staffId, l.name, l.bankAccountRef ?? '', cents(l.points), cents(l.amountYuan)]),
    ]);
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sales-points-payout-${month}.csv"`)
      .header('payout-staff', String(lines.length)).header('payout-total-yuan', cents(total)).header('payout-missing-bank-refs', String(missing))
      .serializer((s: unknown) => s as string).send(csv as never);
  });
};
