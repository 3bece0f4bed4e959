import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { describeActor } from '../../domain/access/roles';
import { text } from '../../domain/text';
import { inTransaction } from '../../infra/db';
import { eraseCustomer, type ErasureChanges } from '../../db/privacy/erasure-sql';
import type { AppDeps } from '../deps';
import { conflict, ErrorBody, notFound } from '../errors';

const Changes = z.object({
  customers: z.number(), leads: z.number(), leadsStopped: z.number(), orders: z.number(), deliveries: z.number(),
  addressCorrections: z.number(), dncEntries: z.number(), suppressionEntries: z.number(),
});
const Erasure = z.object({
  customerId: z.number(),
  erasedAt: z.string(),
  /** true: erased before (by this request's twin or another); nothing was changed now. */
  alreadyErased: z.boolean(),
  changed: Changes.describe('rows changed now, per table: number, name and address replaced by tombstones'),
  kept: z.array(z.string()).describe('what stays as evidence, hashed'),
});
const NOTHING: ErasureChanges = { customers: 0, leads: 0, leadsStopped: 0, orders: 0, deliveries: 0, addressCorrections: 0, dncEntries: 0, suppressionEntries: 0 };
const KEPT = [
  'call_attempts.msisdn_hash: the contact log, which numbers were called when and why it was allowed',
  'dnc_numbers.msisdn_hash: the do-not-call entries of the customer\'s numbers, still refused at dialing',
  'suppression_numbers: entries of the customer\'s numbers, by hash',
  'customer_dnc_changes: when the do-not-call flag was set',
];

/**
 * The customer's right to be forgotten (docs/security.md): an admin erases a customer, by id.
 * Their number, name and address are replaced in every table in one transaction; what the law
 * needs as evidence stays, hashed. Refused (409) while an order of theirs is under way (its
 * courier needs the address): cancel it or let it finish first. A repeat changes nothing.
 */
export const erasureRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.post('/customers/:id/erasure', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['ops'],
      summary: "Erase a customer: number, name and address replaced everywhere, evidence kept hashed; a repeat changes nothing",
      params: z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      body: z.strictObject({ reason: text(3, 500).describe('why: the request it answers (a ticket, a letter)') }),
      response: { 200: Erasure, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const customerId = request.params.id;
    const by = request.actor!;
    return inTransaction(deps.db, async (tx) => {
      await tx.query("SELECT set_config('app.actor', $1, true)", [describeActor(by)]); // the do-not-call flag's history names who
      const { rows: [customer] } = await tx.query<{ erased_at: Date | null }>('SELECT erased_at FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
      if (!customer) throw notFound(`customer ${customerId}`);
      if (customer.erased_at) {
        return { customerId, erasedAt: customer.erased_at.toISOString(), alreadyErased: true, changed: NOTHING, kept: KEPT };
      }
      const { rows: open } = await tx.query<{ id: string }>(`SELECT id FROM orders WHERE customer_id = $1 AND stage <> 'done' ORDER BY id LIMIT 20`, [customerId]);
      if (open.length) {
        throw conflict(`customer ${customerId} has orders under way (${open.map((o) => o.id).join(', ')}): cancel them or let them finish, then erase`);
      }
      const { rows: [clock] } = await tx.query<{ at: Date }>('SELECT clock_timestamp() AS at');
      const changed = await eraseCustomer(tx, customerId, clock!.at);
      await tx.query('INSERT INTO erasures (customer_id, erased_at, erased_by, reason, changed) VALUES ($1, $2, $3, $4, $5)',
        [customerId, clock!.at, by, request.body.reason, changed]);
      return { customerId, erasedAt: clock!.at.toISOString(), alreadyErased: false, changed, kept: KEPT };
    });
  });
};
