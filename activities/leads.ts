import type { Db } from '../infra/db';
import type { AttemptDisposition, LeadStep } from '../domain/dialing';

export interface ClaimedLead {
  leadId: number;
  attemptNo: number;
}

export interface Claim {
  leads: ClaimedLead[];
  /** Leads not finished yet (waiting or being called). */
  open: number;
  /** Milliseconds until the next waiting lead is due; null when none waits. */
  nextDueInMs: number | null;
}

/** The hopper: leads wait in Postgres and the campaign workflow claims the due ones as slots free up. */
export function createLeadActivities(db: Db) {
  return {
    /**
     * Claims up to `limit` due leads (FOR UPDATE SKIP LOCKED) and counts the attempt. The claim id
     * makes a retried claim answer the leads it already took instead of taking (and stranding) more.
     */
    async claimDueLeads(input: { campaignId: string; limit: number; claimId: string }): Promise<Claim> {
      const { campaignId, limit, claimId } = input;
      let { rows } = await db.query<{ id: string; attempts: number }>(
        `SELECT id, attempts FROM leads WHERE campaign_id = $1 AND claim_id = $2 AND state = 'dialing'`,
        [campaignId, claimId],
      );
      if (rows.length === 0) {
        ({ rows } = await db.query<{ id: string; attempts: number }>(
          `WITH due AS (
             SELECT id FROM leads
              WHERE campaign_id = $1 AND state = 'pending' AND next_attempt_at <= now()
              ORDER BY next_attempt_at, id
              LIMIT $2
              FOR UPDATE SKIP LOCKED)
           UPDATE leads l SET state = 'dialing', attempts = l.attempts + 1, claim_id = $3
             FROM due WHERE l.id = due.id
           RETURNING l.id, l.attempts`,
          [campaignId, limit, claimId],
        ));
      }
      const stats = await db.query<{ open: string; next_due_ms: string | null }>(
        `SELECT count(*) FILTER (WHERE state IN ('pending', 'dialing')) AS open,
                ceil(extract(epoch FROM (min(next_attempt_at) FILTER (WHERE state = 'pending') - now())) * 1000)
                  AS next_due_ms
           FROM leads WHERE campaign_id = $1`,
        [campaignId],
      );
      const s = stats.rows[0]!;
      return {
        leads: rows.map((r) => ({ leadId: Number(r.id), attemptNo: r.attempts })).sort((a, b) => a.leadId - b.leadId),
        open: Number(s.open),
        nextDueInMs: s.next_due_ms === null ? null : Math.max(0, Number(s.next_due_ms)),
      };
    },

    /** Applies the retry rule's verdict to the lead; guarded by the attempt number so a repeat is a no-op. */
    async settleAttempt(input: {
      leadId: number;
      attemptNo: number;
      callId: string;
      disposition: AttemptDisposition;
      step: LeadStep;
    }): Promise<void> {
      const { leadId, attemptNo, callId, disposition, step } = input;
      const state = step.kind === 'done' ? 'done' : 'pending';
      const nextAt = step.kind === 'callback' ? step.at : null;
      const delay = step.kind === 'retry' ? step.delaySeconds : 0;
      await db.query(
        `UPDATE leads SET state = $3, last_disposition = $4, claim_id = NULL,
                next_attempt_at = COALESCE($5::timestamptz, now() + make_interval(secs => $6))
          WHERE id = $1 AND attempts = $2 AND state = 'dialing'`,
        [leadId, attemptNo, state, disposition, nextAt, delay],
      );
      if (disposition === 'not-placed') {
        await db.query(
          `UPDATE call_attempts SET disposition = 'not-placed', connected = false, ended_at = now()
            WHERE id = $1 AND disposition IS NULL`,
          [callId],
        );
      }
    },

    /** A cancelled campaign gives its unfinished leads back (they may be listed by a later campaign). */
    async releaseLeads(input: { campaignId: string }): Promise<{ released: number }> {
      const res = await db.query(
        `UPDATE leads SET state = 'released', claim_id = NULL WHERE campaign_id = $1 AND state IN ('pending', 'dialing')`,
        [input.campaignId],
      );
      return { released: res.rowCount ?? 0 };
    },
  };
}
