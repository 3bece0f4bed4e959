import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction, type Db } from '../infra/db';
import type { ContactCap } from '../domain/campaign';
import { COUNTED_CONTACT, onDnc } from '../db/segment-sql';

export interface DialTarget {
  msisdn: string;
  /** Why the call must not be made, or undefined when it may. */
  blockedBy?: 'do-not-call' | 'stopped' | 'contact cap';
}

/** The contact log keeps a hash, not the number: enough to prove "this number was (not) called". */
export function hashMsisdn(msisdn: string): string {
  return createHash('sha256').update(`msisdn:${msisdn}`).digest('hex').slice(0, 32);
}

/**
 * The checks made at the moment of dialing, for one call already in the contact log: do-not-call
 * (flag and register), a person's stop, and the cross-campaign contact cap (at most maxCalls sales
 * calls to the customer in the last `days`, over all campaigns). Customer by customer under an
 * advisory lock, so two campaigns dialing the same customer at once cannot both slip under the cap.
 * The verdict and its inputs are written on the call's row: the compliance evidence.
 */
export async function checkBeforeDialing(
  db: Db,
  call: { callId: string; purpose: 'sales' | 'followup'; leadId?: number; orderId?: string; contactCap?: ContactCap },
): Promise<DialTarget> {
  return inTransaction(db, async (tx) => {
    const { rows } = call.purpose === 'sales'
      ? await tx.query<{ msisdn: string; customer_id: string; dnc: boolean; stopped: boolean }>(
        `SELECT l.msisdn, l.customer_id, ${onDnc()} AS dnc, l.stop_reason IS NOT NULL AS stopped
           FROM leads l JOIN customers c ON c.id = l.customer_id WHERE l.id = $1`, [call.leadId])
      : await tx.query<{ msisdn: string; customer_id: string; dnc: boolean; stopped: boolean }>(
        `SELECT c.msisdn, c.id AS customer_id, ${onDnc()} AS dnc, false AS stopped
           FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1`, [call.orderId]);
    const target = rows[0];
    if (!target) throw ApplicationFailure.nonRetryable(`no number for call ${call.callId}`, 'UnknownLead');

    let recent: number | undefined;
    const cap = call.purpose === 'sales' ? call.contactCap : undefined;
    if (cap) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('contact:' || $1::text, 0))`, [target.customer_id]);
      const { rows: [count] } = await tx.query<{ n: string }>(
        `SELECT count(*) AS n FROM call_attempts a
          WHERE a.customer_id = $1 AND a.id <> $2 AND ${COUNTED_CONTACT}
            AND (a.checks->>'checkedAt')::timestamptz > clock_timestamp() - make_interval(days => $3)`,
        [target.customer_id, call.callId, cap.days]);
      recent = Number(count!.n);
    }
    // Taken under the lock: checks of one customer's calls are ordered by this time (the audit relies on it).
    const { rows: [clock] } = await tx.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const blockedBy = target.dnc ? 'do-not-call' : target.stopped ? 'stopped'
      : cap && recent! >= cap.maxCalls ? 'contact cap' : undefined;
    const checks = {
      checkedAt: clock!.now.toISOString(),
      doNotCall: target.dnc ? 'blocked' : 'clear',
      ...(cap ? { contactCap: { ...cap, contactsInPeriod: recent } } : {}),
      result: blockedBy ? 'blocked' : 'clear',
      ...(blockedBy ? { blockedBy } : {}),
    };
    await tx.query('UPDATE call_attempts SET customer_id = $2, msisdn_hash = $3, checks = $4 WHERE id = $1',
      [call.callId, target.customer_id, hashMsisdn(target.msisdn), JSON.stringify(checks)]);
    return { msisdn: target.msisdn, ...(blockedBy ? { blockedBy } : {}) };
  });
}
