import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction, type Db } from '../../infra/db';
import type { ContactCap } from '../../domain/campaign/campaign';
import type { CallingWindow } from '../../domain/campaign/calling-window';
import { dialVerdict, type DialBlock } from '../../domain/compliance/dial-checks';
import { COUNTED_CONTACT, DIAL_MOMENT } from '../../db/campaign/segment-sql';
import { onSuppressionList } from '../../db/compliance/suppression-sql';
import { onDncAtDialing } from '../../db/compliance/dnc-sql';

export interface DialTarget {
  msisdn: string;
  /** Why the call must not be made, or undefined when it may. */
  blockedBy?: DialBlock;
}

/** The contact log keeps a hash, not the number: enough to prove "this number was (not) called". */
export function hashMsisdn(msisdn: string): string {
  return createHash('sha256').update(`msisdn:${msisdn}`).digest('hex').slice(0, 32);
}

export interface CallToCheck {
  callId: string;
  leadId?: number;
  orderId?: string;
}

/** What the checks of one batch of calls are given: the calls, and the rules in force for them. */
export interface DialCheckBatch {
  purpose: 'sales' | 'followup';
  /** The cap, for marketing calls: sales calls and follow-ups that offer something. */
  contactCap?: ContactCap;
  window?: CallingWindow;
  /** How long the window must stay open after the check (domain/compliance/dial-window.ts). */
  marginSeconds?: number;
  calls: CallToCheck[];
}

/**
 * The checks made at the moment of dialing (every hand-over to the dialer), for calls already in
 * the contact log: do-not-call (the customer's flag, and the register for the number dialed: the
 * lead's for a sales call, the customer's for a follow-up), a person's stop, the calling window in
 * the customer's local time (when given), and the cross-campaign contact cap when given (at most
 * maxCalls marketing calls to the customer in the last `days`, over all campaigns, each timed by
 * when the dialer took it, as the audit times it). Under a lock per customer (taken in customer
 * order, so batches never deadlock), so two campaigns dialing the same customer at once cannot both
 * slip under the cap. The verdict and its inputs (domain/compliance/dial-checks.ts) are written on each call's row:
 * the compliance evidence. A batch is a handful of statements whatever its size.
 */
export async function checkCallsBeforeDialing(
  db: Db,
  batch: DialCheckBatch,
): Promise<Map<string, DialTarget>> {
  const { purpose, calls } = batch;
  if (!calls.length) return new Map();
  return inTransaction(db, async (tx) => {
    type Row = { call_id: string; msisdn: string; customer_id: string; dnc: boolean; suppressed: boolean | null; stopped: boolean; time_zone: string };
    const ids = calls.map((c) => c.callId);
    const { rows } = purpose === 'sales'
      ? await tx.query<Row>(
        `SELECT a.call_id, l.msisdn, l.customer_id, ${onDncAtDialing('c', 'l.msisdn')} AS dnc, ${onSuppressionList('l.campaign_id', 'l.msisdn')} AS suppressed, l.stop_reason IS NOT NULL AS stopped, r.time_zone
           FROM unnest($1::text[], $2::bigint[]) AS a(call_id, lead_id)
           JOIN leads l ON l.id = a.lead_id JOIN customers c ON c.id = l.customer_id JOIN regions r ON r.code = l.region`,
        [ids, calls.map((c) => c.leadId ?? null)])
      : await tx.query<Row>(
        `SELECT a.call_id, c.msisdn, c.id AS customer_id, ${onDncAtDialing('c', 'c.msisdn')} AS dnc, NULL::boolean AS suppressed, false AS stopped, r.time_zone
           FROM unnest($1::text[], $2::text[]) AS a(call_id, order_id)
           JOIN orders o ON o.id = a.order_id JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.code = c.region`,
        [ids, calls.map((c) => c.orderId ?? null)]);
    if (rows.length !== calls.length) {
      const known = new Set(rows.map((r) => r.call_id));
      throw ApplicationFailure.nonRetryable(`no number for call ${ids.find((id) => !known.has(id))}`, 'UnknownLead');
    }

    const recent = new Map<string, number>();
    const cap = batch.contactCap;
    if (cap) {
      const customers = [...new Set(rows.map((r) => r.customer_id))].sort((a, b) => Number(a) - Number(b));
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('contact:' || c::text, 0)) FROM unnest($1::bigint[]) AS c`, [customers]);
      const { rows: counts } = await tx.query<{ customer_id: string; n: string }>(
        `SELECT a.customer_id, count(*) AS n FROM call_attempts a
          WHERE a.customer_id = ANY($1::bigint[]) AND NOT (a.id = ANY($2::text[])) AND ${COUNTED_CONTACT}
            AND ${DIAL_MOMENT} > clock_timestamp() - make_interval(days => $3)
          GROUP BY a.customer_id`,
        [customers, ids, cap.days]);
      for (const c of counts) recent.set(c.customer_id, Number(c.n));
    }
    // Taken under the locks: checks of one customer's calls are ordered by this time (the audit relies on it).
    const { rows: [clock] } = await tx.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const now = clock!.now;
    const targets = new Map<string, DialTarget>();
    const checks: string[] = [];
    for (const r of rows) {
      const { blockedBy, evidence } = dialVerdict({
        checkedAt: now, doNotCall: r.dnc, ...(r.suppressed !== null ? { suppressed: r.suppressed } : {}), stopped: r.stopped, contactsInPeriod: recent.get(r.customer_id) ?? 0, timeZone: r.time_zone,
        ...(cap ? { contactCap: cap } : {}), ...(batch.window ? { window: batch.window } : {}),
        ...(batch.marginSeconds !== undefined ? { marginSeconds: batch.marginSeconds } : {}),
      });
      checks.push(JSON.stringify(evidence));
      targets.set(r.call_id, { msisdn: r.msisdn, ...(blockedBy ? { blockedBy } : {}) });
    }
    // The checks' time is the attempt's start (started_at); when the dialer then takes the call is
    // recorded beside it (dialer_took_at, activities/campaign/telephony.ts), and the audit times the call by that.
    await tx.query(
      `UPDATE call_attempts a SET customer_id = u.customer_id, msisdn_hash = u.hash, checks = u.checks::jsonb, started_at = $5
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS u(call_id, customer_id, hash, checks)
        WHERE a.id = u.call_id`,
      [rows.map((r) => r.call_id), rows.map((r) => r.customer_id), rows.map((r) => hashMsisdn(r.msisdn)), checks, now]);
    return targets;
  });
}

/** The checks for one call (see checkCallsBeforeDialing). */
export async function checkBeforeDialing(
  db: Db,
  call: CallToCheck & { purpose: 'sales' | 'followup'; contactCap?: ContactCap; window?: CallingWindow },
): Promise<DialTarget> {
  const { purpose, contactCap, window, ...one } = call;
  const targets = await checkCallsBeforeDialing(db, {
    purpose, calls: [one], ...(contactCap ? { contactCap } : {}), ...(window ? { window } : {}),
  });
  return targets.get(call.callId)!;
}
