import type { Actor } from '../../domain/access/roles';
import type { CampaignDefinition } from '../../domain/campaign/campaign';
import type { Queryable } from '../queryable';
import { LINK_SUPPRESSION_LISTS } from '../compliance/suppression-sql';

/**
 * What goes with a campaign's row, written by whoever writes the row (the launch, or the
 * workflow's first activity if the launch died first), idempotently: the suppression lists its
 * definition names, and version 1 of its settings, the definition as launched. The launch knows
 * who launched it and fills that in if the workflow wrote the version first.
 */
export async function recordCampaignRowExtras(db: Queryable, definition: Pick<CampaignDefinition, 'id' | 'suppressionLists'>, launchedBy?: Actor): Promise<void> {
  if (definition.suppressionLists?.length) await db.query(LINK_SUPPRESSION_LISTS, [definition.id, definition.suppressionLists]);
  await db.query(
    `INSERT INTO campaign_settings_versions (campaign_id, version, definition, change, changed_by, changed_at, change_id)
     SELECT id, 1, definition, NULL, $2::jsonb, created_at, 'launch' FROM campaigns WHERE id = $1
     ON CONFLICT (campaign_id, version) DO UPDATE SET changed_by = COALESCE(campaign_settings_versions.changed_by, EXCLUDED.changed_by)
      WHERE campaign_settings_versions.change_id = 'launch'`,
    [definition.id, launchedBy ? JSON.stringify(launchedBy) : null]);
}

/**
 * The next version of a campaign's settings ($1 campaign, $2 change id, $3 the settings in force
 * after it (dialing, pacing, window), $4 the change, $5 who, $6 when): the latest version's
 * definition with those settings, numbered after it. Once per change id, so a retried write lands
 * once. Run after LOCK_CAMPAIGN in the same transaction, so two changes never take one number.
 */
export const RECORD_SETTINGS_VERSION = `
  WITH latest AS (SELECT v.version, v.definition FROM campaign_settings_versions v
                   WHERE v.campaign_id = $1 ORDER BY v.version DESC LIMIT 1)
  INSERT INTO campaign_settings_versions (campaign_id, version, definition, change, changed_by, changed_at, change_id)
  SELECT $1, latest.version + 1, latest.definition || $3::jsonb, $4::jsonb, $5::jsonb, $6::timestamptz, $2 FROM latest
  WHERE NOT EXISTS (SELECT 1 FROM campaign_settings_versions WHERE campaign_id = $1 AND change_id = $2)`;

/**
 * Serialises two versions of one campaign. NO KEY UPDATE: rows that refer to the campaign (leads,
 * calls being written) take a key-share lock on it, which this must not wait for.
 */
export const LOCK_CAMPAIGN = 'SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE';

export interface SettingsVersionRow {
  version: number;
  definition: Record<string, unknown>;
  change: Record<string, unknown> | null;
  changed_by: Actor | null;
  changed_at: Date;
}
