import type { Db } from '../../infra/db';
import type { CallingWindow } from '../../domain/campaign/calling-window';
import type { ContactCap } from '../../domain/campaign/campaign';
import { CONNECTED_DISPOSITIONS, type Disposition } from '../../domain/campaign/dialing';
import { salesCallId } from '../../domain/campaign/ids';
import { SqlParams } from '../../db/campaign/segment-sql';
import { endCallsWithoutOutcome } from '../../db/campaign/call-outcome-sql';
import { checkBeforeDialing } from '../compliance/contact-checks';
import { refusedDisposition } from '../../domain/compliance/dial-checks';
import { callableNow } from './leads';

/**
 * What the campaign hands an agent in preview mode: ids and what sells, never a number. The API
 * adds the masked number from Postgres (api/campaign/agents.ts); leads handed out before that carry
 * it (`msisdn`, masked).
 */
export interface PreviewLead {
  leadId: number;
  attemptNo: number;
  callId: string;
  msisdn?: string;
  customer: { region: string; city: string; plan: string; tenureMonths: number; monthlySpend: number };
  /** A callback this agent promised the customer. */
  ownCallback: boolean;
  /** Set when the check at hand-out found the lead must not be called now (the workflow settles it). */
  blockedBy?: string;
  /** How the refused attempt was recorded. */
  refusedAs?: 'blocked' | 'not-placed';
}

export interface PreviewClaim {
  /** Why this agent may not take a lead of this campaign. */
  refused?: string;
  lead?: PreviewLead;
  /** 0 when the campaign has no unfinished lead left. */
  open: number;
}

/**
 * Preview dialing: an agent asks for the next lead and reports how the call went. The lead handed
 * out is checked (DNC, stop, contact cap) and written to the contact log with the agent, as if the
 * dialer had placed the call; the agent's phone dials it by call id.
 */
export function createPreviewActivities(db: Db) {
  return {
    async claimPreviewLead(input: {
      campaignId: string;
      agentId: string;
      team: string;
      claimId: string;
      window?: CallingWindow;
      callbackGraceSeconds: number;
      contactCap?: ContactCap;
    }): Promise<PreviewClaim> {
      const { campaignId, agentId, claimId } = input;
      const { rows: [agent] } = await db.query<{ team: string; active: boolean }>('SELECT team, active FROM agents WHERE id = $1', [agentId]);
      if (!agent) return { refused: `no agent '${agentId}'`, open: 1 };
      if (!agent.active) return { refused: `agent '${agentId}' is not active`, open: 1 };
      if (agent.team !== input.team) return { refused: `agent '${agentId}' is in team '${agent.team}', this campaign is worked by '${input.team}'`, open: 1 };

      let { rows: [lead] } = await db.query<{ id: string; attempts: number; own: boolean }>(
        `SELECT id, attempts, false AS own FROM leads WHERE campaign_id = $1 AND claim_id = $2 AND state = 'dialing'`, [campaignId, claimId]);
      if (!lead) {
        // The agent's own due callbacks first, then the queue in due order.
        for (const own of [true, false]) {
          const p = new SqlParams([campaignId, claimId, agentId]);
          const where = callableNow(p, input.window, { graceRef: p.add(input.callbackGraceSeconds, 'int'), freeAgents: [agentId] });
          ({ rows: [lead] } = await db.query<{ id: string; attempts: number; own: boolean }>(
            `WITH next AS (
               SELECT l.id FROM leads l JOIN regions r ON r.code = l.region
                WHERE l.campaign_id = $1 AND ${where} ${own ? 'AND l.agent_id = $3' : ''}
                ORDER BY l.next_attempt_at, l.id LIMIT 1
                FOR UPDATE OF l SKIP LOCKED)
             UPDATE leads l SET state = 'dialing', attempts = l.attempts + 1, claim_id = $2, agent_id = $3
               FROM next WHERE l.id = next.id
             RETURNING l.id, l.attempts, ${own} AS own`,
            p.values,
          ));
          if (lead) break;
        }
      }
      if (!lead) {
        const { rows: [o] } = await db.query<{ open: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM leads WHERE campaign_id = $1 AND state IN ('pending', 'dialing')) AS open`, [campaignId]);
        return { open: o!.open ? 1 : 0 };
      }
      const leadId = Number(lead.id);
      const callId = salesCallId(campaignId, leadId, lead.attempts);
      await db.query(
        `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, attempt_no, agent_id)
         VALUES ($1, 'sales', $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [callId, campaignId, leadId, lead.attempts, agentId]);
      const target = await checkBeforeDialing(db, {
        callId, purpose: 'sales', leadId, ...(input.contactCap ? { contactCap: input.contactCap } : {}), ...(input.window ? { window: input.window } : {}),
      });
      if (target.blockedBy) {
        await db.query(endCallsWithoutOutcome('$2'), [[callId], refusedDisposition(target.blockedBy)]);
      }
      const { rows: [c] } = await db.query<{ region: string; city: string; plan: string; tenure_months: number; spend_last_month: string }>(
        `SELECT c.region, c.city, c.plan, c.tenure_months, c.spend_last_month FROM leads l JOIN customers c ON c.id = l.customer_id WHERE l.id = $1`,
        [leadId]);
      return {
        open: 1,
        lead: {
          leadId, attemptNo: lead.attempts, callId, ownCallback: lead.own,
          customer: { region: c!.region, city: c!.city, plan: c!.plan, tenureMonths: c!.tenure_months, monthlySpend: Number(c!.spend_last_month) },
          ...(target.blockedBy ? { blockedBy: target.blockedBy, refusedAs: refusedDisposition(target.blockedBy) } : {}),
        },
      };
    },

    /** The agent's report of a preview call, into the contact log; the first report wins. */
    async recordPreviewCall(input: { callId: string; agentId: string; disposition: Disposition; callbackAt?: string; durationSec?: number }): Promise<void> {
      const connected = CONNECTED_DISPOSITIONS.includes(input.disposition);
      await db.query(
        `UPDATE call_attempts SET disposition = $2, connected = $3, duration_sec = $4, callback_at = $5, ended_at = now()
          WHERE id = $1 AND agent_id = $6 AND disposition IS NULL`,
        [input.callId, input.disposition, connected, input.durationSec ?? 0, input.callbackAt ?? null, input.agentId]);
    },
  };
}
