import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction, type Db } from '../infra/db';
import type { ContactCap } from '../domain/campaign';
import { isOpen, type CallingWindow } from '../domain/calling-window';
import { COUNTED_CONTACT, onDnc } from '../db/segment-sql';

export interface DialTarget {
  msisdn: string;
  /** Why the call must not be made, or undefined when it may. */
  blockedBy?: 'do-not-call' | 'stopped' | 'contact cap' | 'outside window';
}

/**
 * How a call the checks refused is recorded: 'blocked' ends the lead (do-not-call, a stop, the
 * cap); a window that closed between claim and dial is 'not-placed', so the lead waits for the
 * next opening like any unplaced call.
 */
export const refusedDisposition = (blockedBy: NonNullable<DialTarget['blockedBy']>): 'blocked' | 'not-placed' =>
  blockedBy === 'outside window' ? 'not-placed' : 'blocked';

/** The contact log keeps a hash, not the number: enough to prove "this number was (not) called". */
export function hashMsisdn(msisdn: string): string {
  return createHash('sha256').update(`msisdn:${msisdn}`).digest('hex').slice(0, 32);
}

/**
 * The checks made at the moment of dialing, for one call already in the contact log: do-not-call
 * (flag and register), a person's stop, the calling window in the customer's local time (when
 * given), and the cross-campaign contact cap (at most maxCalls sales
 * calls to the customer in the last `days`, over all campaigns). Customer by customer under an
 * advisory lock, so two campaigns dialing the same customer at once cannot both slip under the cap.
 * The verdict and its inputs are written on the call's row: the compliance evidence.
 */
export async function checkBeforeDialing(
  db: Db,
  call: { callId: string; purpose: 'sales' | 'followup'; leadId?: number; orderId?: string; contactCap?: ContactCap; window?: CallingWindow },
): Promise<DialTarget> {
  return inTransaction(db, async (tx) => {
    const { rows } = call.purpose === 'sales'
      ? await tx.query<{ msisdn: string; customer_id: string; dnc: boolean; stopped: boolean; time_zone: string }>(
        `SELECT l.msisdn, l.customer_id, ${onDnc()} AS dnc, l.stop_reason IS NOT NULL AS stopped, r.time_zone
           FROM leads l JOIN customers c ON c.id = l.customer_id JOIN regions r ON r.code = l.region WHERE l.id = $1`, [call.leadId])
      : await tx.query<{ msisdn: string; customer_id: string; dnc: boolean; stopped: boolean; time_zone: string }>(
        `SELECT c.msisdn, c.id AS customer_id, ${onDnc()} AS dnc, false AS stopped, r.time_zone
           FROM orders o JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.code = c.region WHERE o.id = $1`, [call.orderId]);
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
    // The window was checked when the lead was claimed; checked again now, the moment the call starts.
    const inWindow = call.window ? isOpen(call.window, target.time_zone, clock!.now) : true;
    const blockedBy = target.dnc ? 'do-not-call' : target.stopped ? 'stopped'
      : cap && recent! >= cap.maxCalls ? 'contact cap' : !inWindow ? 'outside window' : undefined;
    const checks = {
      checkedAt: clock!.now.toISOString(),
      doNotCall: target.dnc ? 'blocked' : 'clear',
      ...(call.window ? { window: call.window, timeZone: target.time_zone } : {}),
      ...(cap ? { contactCap: { ...cap, contactsInPeriod: recent } } : {}),
      result: blockedBy ? 'blocked' : 'clear',
      ...(blockedBy ? { blockedBy } : {}),
    };
    // The attempt starts now, when the checks allow it (the audit compares this time with the window).
    await tx.query('UPDATE call_attempts SET customer_id = $2, msisdn_hash = $3, checks = $4, started_at = $5 WHERE id = $1',
      [call.callId, target.customer_id, hashMsisdn(target.msisdn), JSON.stringify(checks), clock!.now]);
    return { msisdn: target.msisdn, ...(blockedBy ? { blockedBy } : {}) };
  });
}
