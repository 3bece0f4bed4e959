import type { Db } from '../infra/db';
import type { AttemptDisposition, LeadStep } from '../domain/dialing';
import { nextOpening, type CallingWindow } from '../domain/calling-window';

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
    async claimDueLeads(input: { campaignId: string; limit: number; claimId: string; window?: CallingWindow }): Promise<Claim> {
      const { campaignId, limit, claimId, window } = input;
      let { rows } = await db.query<{ id: string; attempts: number }>(
        `SELECT id, attempts FROM leads WHERE campaign_id = $1 AND claim_id = $2 AND state = 'dialing'`,
        [campaignId, claimId],
      );
      if (rows.length === 0) {
        // The calling window is checked here, in each lead's local time, by the database's clock.
        ({ rows } = await db.query<{ id: string; attempts: number }>(
          `WITH due AS (
             SELECT l.id FROM leads l JOIN regions r ON r.code = l.region
              WHERE l.campaign_id = $1 AND l.state = 'pending' AND l.next_attempt_at <= now()
                AND ($4::text IS NULL OR (
                      (now() AT TIME ZONE r.time_zone)::time >= $4::time
                  AND (now() AT TIME ZONE r.time_zone)::time < $5::time
                  AND extract(isodow FROM now() AT TIME ZONE r.time_zone)::int = ANY($6::int[])
                  AND NOT ((now() AT TIME ZONE r.time_zone)::date = ANY($7::date[]))))
              ORDER BY l.next_attempt_at, l.id
              LIMIT $2
              FOR UPDATE OF l SKIP LOCKED)
           UPDATE leads l SET state = 'dialing', attempts = l.attempts + 1, claim_id = $3
             FROM due WHERE l.id = due.id
           RETURNING l.id, l.attempts`,
          [campaignId, limit, claimId, window?.start ?? null, window?.end === '24:00' ? '24:00:00' : window?.end ?? null,
            window?.days ?? null, window?.holidays ?? null],
        ));
      }
      const open = await db.query<{ open: string }>(
        `SELECT count(*) AS open FROM leads WHERE campaign_id = $1 AND state IN ('pending', 'dialing')`, [campaignId]);
      // When is the next lead callable: its due time, or its zone's next opening if that is later.
      const zones = await db.query<{ time_zone: string; first_due: Date; now: Date }>(
        `SELECT r.time_zone, min(l.next_attempt_at) AS first_due, now() AS now
           FROM leads l JOIN regions r ON r.code = l.region
          WHERE l.campaign_id = $1 AND l.state = 'pending' GROUP BY r.time_zone`,
        [campaignId],
      );
      let nextDueInMs: number | null = null;
      for (const z of zones.rows) {
        const from = new Date(Math.max(z.first_due.getTime(), z.now.getTime()));
        const at = window ? nextOpening(window, z.time_zone, from) : from;
        if (!at) continue; // this zone's window never opens: only the end date or a person ends it
        const ms = Math.max(0, at.getTime() - z.now.getTime());
        nextDueInMs = nextDueInMs === null ? ms : Math.min(nextDueInMs, ms);
      }
      return {
        leads: rows.map((r) => ({ leadId: Number(r.id), attemptNo: r.attempts })).sort((a, b) => a.leadId - b.leadId),
        open: Number(open.rows[0]!.open),
        nextDueInMs,
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
        `UPDATE leads SET state = CASE WHEN stop_reason IS NULL THEN $3 ELSE 'done' END, last_disposition = $4, claim_id = NULL,
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

    /**
     * A person stops leads (a complaint, a request): waiting leads end at once, a lead being called
     * ends when its call does. Idempotent; answers how many of the given leads this campaign has.
     */
    async stopLeads(input: { campaignId: string; stops: { leadId: number; reason: string }[] }): Promise<{ stopped: number }> {
      const res = await db.query(
        `UPDATE leads l SET stop_reason = COALESCE(l.stop_reason, s.reason),
                state = CASE WHEN l.state = 'pending' THEN 'done' ELSE l.state END,
                last_disposition = CASE WHEN l.state = 'pending' THEN 'stopped' ELSE l.last_disposition END
           FROM unnest($2::bigint[], $3::text[]) AS s(lead_id, reason)
          WHERE l.campaign_id = $1 AND l.id = s.lead_id`,
        [input.campaignId, input.stops.map((x) => x.leadId), input.stops.map((x) => x.reason)],
      );
      return { stopped: res.rowCount ?? 0 };
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
