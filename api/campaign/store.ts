import type pg from 'pg';
import type { Db } from '../../infra/db';
import type { CampaignRow } from '../../activities/campaign/launch';
import { conflict, notFound, ruleBroken } from '../errors';

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

/** Refuses a segment naming a region we do not serve, with the path of the first unknown one. */
export async function checkRegions(db: Db, regions: string[] | undefined, path: string): Promise<void> {
  if (!regions?.length) return;
  const { rows } = await db.query<{ code: string }>('SELECT code FROM regions WHERE code = ANY($1)', [regions]);
  const known = new Set(rows.map((r) => r.code));
  const i = regions.findIndex((r) => !known.has(r));
  if (i >= 0) throw ruleBroken(`${path}.${i}`, `unknown region '${regions[i]}'`);
}

/** Refuses a campaign naming a team we do not have. */
export async function checkTeam(db: Db, team: string | undefined, path: string): Promise<void> {
  if (!team) return;
  const { rowCount } = await db.query('SELECT 1 FROM teams WHERE code = $1', [team]);
  if (!rowCount) throw ruleBroken(path, `unknown team '${team}'`);
}

/** Refuses a campaign naming a suppression list we do not have, with the path of the first unknown one. */
export async function checkSuppressionLists(db: Db, lists: string[] | undefined, path: string): Promise<void> {
  if (!lists?.length) return;
  const { rows } = await db.query<{ id: string }>('SELECT id FROM suppression_lists WHERE id = ANY($1)', [lists]);
  const known = new Set(rows.map((r) => r.id));
  const i = lists.findIndex((l) => !known.has(l));
  if (i >= 0) throw ruleBroken(`${path}.${i}`, `unknown suppression list '${lists[i]}'`);
}
