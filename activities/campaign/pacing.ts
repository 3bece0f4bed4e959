import type { Db } from '../../infra/db';
import { abandonRate, type AgentPool, type Pacing } from '../../domain/campaign/pacing';
import { describeResponse, getJson } from '../http-json';

/**
 * What pacing needs to know before a claim: the team's agent pool as the dialer sees it, and the
 * campaign's abandon rate from the contact log. Thin on purpose: the decision is domain/campaign/pacing.ts.
 */
export function createPacingReader(deps: { db: Db; dialerUrl: string }) {
  return {
    /** The dialer's view of the team now; a team nobody is logged in for has no free agent. */
    async pool(team: string): Promise<AgentPool> {
      const res = await getJson(`${deps.dialerUrl}/teams/${encodeURIComponent(team)}`, { timeoutMs: 5_000 });
      if (res.status === 404) return { agents: 0, available: 0, ringing: 0 };
      if (res.status !== 200) throw new Error(describeResponse('dialer', res));
      const b = res.body as Partial<AgentPool>;
      return {
        agents: Number(b.agents ?? 0), available: Number(b.available ?? 0), ringing: Number(b.ringing ?? 0),
        free: Array.isArray(b.free) ? b.free.map(String) : [],
      };
    },

    /** Abandoned ÷ answered over the campaign's last `abandonWindowCalls` answered calls. */
    async abandonRate(campaignId: string, pacing: Pick<Pacing, 'abandonWindowCalls'>): Promise<number | null> {
      const { rows: [r] } = await deps.db.query<{ answered: string; abandoned: string }>(
        `SELECT count(*) AS answered, count(*) FILTER (WHERE disposition = 'abandoned') AS abandoned
           FROM (SELECT disposition FROM call_attempts
                  WHERE campaign_id = $1 AND purpose = 'sales' AND ended_at IS NOT NULL
                    AND (connected OR disposition = 'abandoned')
                  ORDER BY ended_at DESC LIMIT $2) recent`,
        [campaignId, pacing.abandonWindowCalls],
      );
      return abandonRate({ answered: Number(r!.answered), abandoned: Number(r!.abandoned) });
    },
  };
}
export type PacingReader = ReturnType<typeof createPacingReader>;
