import type pg from 'pg';
import type { Db } from '../../infra/db';
import type { CampaignRow } from '../../activities/campaign/launch';
import type { Funnel } from '../../domain/campaign/campaign';
import { badRequest, conflict, notFound } from '../errors';

export type { CampaignRow } from '../../activities/campaign/launch';

export async function findCampaign(db: Db | pg.PoolClient, id: string): Promise<CampaignRow | undefined> {
  const { rows } = await db.query<CampaignRow>('SELECT * FROM campaigns WHERE id = $1', [id]);
  return rows[0];
}

/** A campaign that can still be steered: 404 when unknown, 409 when it has finished. */
export async function findLiveCampaign(db: Db, id: string): Promise<CampaignRow> {
  const campaign = await findCampaign(db, id);
  if (!campaign) throw notFound(`campaign '${id}'`);
  if (['completed', 'cancelled', 'failed'].includes(campaign.status)) throw conflict(`campaign is already ${campaign.status}`);
  return campaign;
}

/** The funnel of one campaign, counted in Postgres (the record of what really happened). */
export async function campaignFunnel(db: Db, id: string): Promise<Funnel> {
  const { rows } = await db.query<Record<keyof Funnel, string>>(
    `SELECT
       (SELECT count(*) FROM leads WHERE campaign_id = $1) AS listed,
       (SELECT count(DISTINCT lead_id) FROM call_attempts
         WHERE campaign_id = $1 AND purpose = 'sales' AND disposition IS NOT NULL AND disposition NOT IN ('not-placed', 'blocked')) AS dialed,
       (SELECT count(DISTINCT lead_id) FROM call_attempts
         WHERE campaign_id = $1 AND purpose = 'sales' AND connected) AS connected,
       (SELECT count(*) FROM leads WHERE campaign_id = $1 AND last_disposition = 'accepted') AS accepted,
       o.ordered, o.delivered, o.activated, o.followed_up AS "followedUp"
     FROM (SELECT count(*) AS ordered, count(delivered_at) AS delivered, count(activated_at) AS activated,
                  count(*) FILTER (WHERE followup_result = 'reached') AS followed_up
             FROM orders WHERE campaign_id = $1) o`,
    [id],
  );
  const r = rows[0]!;
  return {
    listed: Number(r.listed), dialed: Number(r.dialed), connected: Number(r.connected), accepted: Number(r.accepted),
    ordered: Number(r.ordered), delivered: Number(r.delivered), activated: Number(r.activated), followedUp: Number(r.followedUp),
  };
}

/** Refuses a segment naming a region we do not serve, with the path of the first unknown one. */
export async function checkRegions(db: Db, regions: string[] | undefined, path: string): Promise<void> {
  if (!regions?.length) return;
  const { rows } = await db.query<{ code: string }>('SELECT code FROM regions WHERE code = ANY($1)', [regions]);
  const known = new Set(rows.map((r) => r.code));
  const i = regions.findIndex((r) => !known.has(r));
  if (i >= 0) throw badRequest(`${path}.${i}`, `unknown region '${regions[i]}'`);
}

/** Refuses a campaign naming a team we do not have. */
export async function checkTeam(db: Db, team: string | undefined, path: string): Promise<void> {
  if (!team) return;
  const { rowCount } = await db.query('SELECT 1 FROM teams WHERE code = $1', [team]);
  if (!rowCount) throw badRequest(path, `unknown team '${team}'`);
}
