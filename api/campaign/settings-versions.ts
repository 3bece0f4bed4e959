import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SettingsVersionRow } from '../../db/campaign/settings-versions-sql';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { findCampaign } from './store';

const Version = z.object({
  version: z.number().int().describe('1 is the definition the campaign was launched with'),
  definition: z.record(z.string(), z.unknown()).describe('the whole definition in force from this version on'),
  change: z.record(z.string(), z.unknown()).nullable().describe('what the change asked for (null for the launch)'),
  changedBy: z.object({ sub: z.string(), role: z.string() }).nullable().describe("the token's subject and the role it acted in, when known"),
  changedAt: z.string(),
});

/** What was in force when: every version of a campaign's settings, for the audit. */
export const settingsVersionRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
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
