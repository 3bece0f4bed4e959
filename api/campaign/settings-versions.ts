import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../../domain/campaign/ids';
import { rule } from '../../domain/rule';
import { inTransaction } from '../../infra/db';
import { LOCK_CAMPAIGN, RECORD_SETTINGS_VERSION, recordCampaignRowExtras, type SettingsVersionRow } from '../../db/campaign/settings-versions-sql';
import { LINK_SUPPRESSION_LISTS } from '../../db/compliance/suppression-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound, rules } from '../errors';
import { checkSuppressionLists, findCampaign, findLiveCampaign } from './store';

const Version = z.object({
  version: z.number().int().describe('1 is the definition the campaign was launched with'),
  definition: z.record(z.string(), z.unknown()).describe('the whole definition in force from this version on'),
  change: z.record(z.string(), z.unknown()).nullable().describe('what the change asked for (null for the launch)'),
  changedBy: z.object({ sub: z.string(), role: z.string() }).nullable().describe("the token's subject and the role it acted in, when known"),
  changedAt: z.string(),
});

const Lists = z.array(z.string().regex(ID_PATTERN, 'a suppression list id')).max(20)
  .refine((ids) => new Set(ids).size === ids.length, rule('each list once'));

/** What was in force when: every version of a campaign's settings, for the audit; and its suppression lists, changed. */
export const settingsVersionRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.put('/campaigns/:id/suppression-lists', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: "Replace the suppression lists a running campaign uses: from its next attempt on; kept as the campaign's next settings version",
      params: z.strictObject({ id: z.string().min(1).max(63) }),
      body: z.strictObject({ suppressionLists: Lists }),
      response: {
        200: z.object({ campaignId: z.string(), suppressionLists: z.array(z.string()), version: z.number().int() }),
        409: ErrorBody.describe('the campaign has finished'),
        ...rules('suppressionLists: ones we have, each once'),
      },
    },
  }, async (request) => {
    const campaign = await findLiveCampaign(deps.db, request.params.id);
    const lists = request.body.suppressionLists;
    await checkSuppressionLists(deps.db, lists, 'body.suppressionLists');
    // Postgres alone holds them (the list pull and the dial checks read them there), so the change
    // and its version are one transaction; the campaign's row lock orders it with the workflow's versions.
    const version = await inTransaction(deps.db, async (tx) => {
      await tx.query(LOCK_CAMPAIGN, [campaign.id]);
      await recordCampaignRowExtras(tx, { id: campaign.id });
      await tx.query('DELETE FROM campaign_suppression_lists WHERE campaign_id = $1 AND NOT (list_id = ANY($2::text[]))', [campaign.id, lists]);
      await tx.query(LINK_SUPPRESSION_LISTS, [campaign.id, lists]);
      await tx.query(RECORD_SETTINGS_VERSION, [campaign.id, request.id, JSON.stringify({ suppressionLists: lists }),
        JSON.stringify({ suppressionLists: lists }), JSON.stringify(request.actor), new Date().toISOString()]);
      const { rows: [v] } = await tx.query<{ version: number }>('SELECT max(version) AS version FROM campaign_settings_versions WHERE campaign_id = $1', [campaign.id]);
      return v!.version;
    });
    return { campaignId: campaign.id, suppressionLists: lists, version };
  });

  app.get('/campaigns/:id/settings/versions', {
    config: { roles: ['marketing', 'qa'] },
    schema: {
      tags: ['campaigns'],
      summary: "Every version of a campaign's settings: the launch's, then one per change (PATCH …/settings or …/dialing), with who and when",
      params: z.strictObject({ id: z.string().min(1).max(63) }),
      response: { 200: z.object({ campaignId: z.string(), versions: z.array(Version) }) },
    },
  }, async (request) => {
    const campaign = await findCampaign(deps.db, request.params.id);
    if (!campaign) throw notFound(`campaign '${request.params.id}'`);
    const { rows } = await deps.db.query<SettingsVersionRow>(
      'SELECT version, definition, change, changed_by, changed_at FROM campaign_settings_versions WHERE campaign_id = $1 ORDER BY version',
      [campaign.id]);
    return {
      campaignId: campaign.id,
      versions: rows.map((r) => ({
        version: r.version, definition: r.definition, change: r.change, changedBy: r.changed_by, changedAt: r.changed_at.toISOString(),
      })),
    };
  });
};
