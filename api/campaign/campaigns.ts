import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CAMPAIGN_DEFINITION_RULES,
  CAMPAIGN_STATUSES,
  CampaignDefinitionSchema,
  DialingChangeSchema,
  SettingsChangeSchema,
} from '../../domain/campaign/campaign';
import {
  cancelUpdate, pauseUpdate, resumeUpdate, stopLeadSignal, updateDialingUpdate, updateSettingsUpdate,
} from '../../workflows/campaign/messages';
import type { AppDeps } from '../deps';
import { uiLink } from '../temporal-ui';
import { launchCampaign } from '../../activities/campaign/launch';
import { readCampaignFunnel } from '../../activities/reports/funnel';
import { FUNNEL_MEANING, FUNNEL_STEPS, type FunnelStep } from '../../domain/reports/funnel';
import { checkRegions, checkSuppressionLists, checkTeam, findCampaign, findLiveCampaign, type CampaignRow } from './store';
import { conflict, ErrorBody, HttpError, notFound, refusalOf, ruleBroken, rules } from '../errors';
import { text } from '../../domain/text';
import { listLimitRefusal, parseListCeilings, type ListCeilings } from '../../domain/campaign/list-limit';
import { OutageView, countLeadFailures, liveOutages } from './failures';
import { actorText, leadStopRef, STOP_CODES, stopPutsOnRegister } from '../../domain/compliance/numbers';
import { ADD_LEAD_TO_REGISTER } from '../../db/compliance/dnc-sql';

const IdParams = z.strictObject({ id: z.string().min(1).max(63) });
const CampaignCreated = z.object({ id: z.string(), workflowId: z.string(), status: z.enum(CAMPAIGN_STATUSES) });
const FunnelSchema = z.object(Object.fromEntries(FUNNEL_STEPS.map((k) => [k, z.number().int().describe(FUNNEL_MEANING[k])])) as Record<FunnelStep, z.ZodNumber>)
  .describe('Leads and orders per step, each lead counted once (domain/reports/funnel.ts); the campaign workflow’s progress query shows the same figures, as of its last reading');
const CampaignView = CampaignCreated.extend({
  name: z.string(),
  /** Why it stopped calling, once it has: list finished, quota reached, end date, cancelled. */
  endedBecause: z.string().nullable(),
  funnel: FunnelSchema,
  /** Outside systems a running campaign waits for now; null when its workflow did not answer. */
  outages: z.array(OutageView).nullable(),
  /** Leads whose next step failed for good (see GET /campaigns/:id/lead-failures). */
  leadFailures: z.number().int(),
  createdAt: z.string(),
  temporalUi: z.string(),
});

/** Marketing's resource: launch a campaign, watch its funnel, pause, resume or cancel it. */
export const campaignRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;
  const ceilings = parseListCeilings(deps.config.MAX_LEADS_PER_ROLE) as ListCeilings; // checked when the configuration was loaded

  app.post('/campaigns', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: 'Launch a campaign (idempotent by Idempotency-Key header or client-given id)',
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      body: CampaignDefinitionSchema,
      response: {
        200: CampaignCreated, 201: CampaignCreated, 409: ErrorBody.describe('the Idempotency-Key or id was used for another definition'),
        ...rules(...CAMPAIGN_DEFINITION_RULES, 'segment.regions, team and suppressionLists: ones we have', "segment.maxLeads: at most the launching role's ceiling (MAX_LEADS_PER_ROLE)"),
      },
    },
  }, async (request, reply) => {
    const key = request.headers['idempotency-key'] ?? null;
    const body = request.body;
    const limit = listLimitRefusal(body.segment, request.actor!.role, ceilings);
    if (limit) throw limit.status === 403 ? new HttpError(403, 'forbidden', `${limit.path}: ${limit.message}`) : ruleBroken(limit.path, limit.message);
    await checkRegions(db, body.segment.regions, 'body.segment.regions');
    await checkTeam(db, body.team, 'body.team');
    await checkSuppressionLists(db, body.suppressionLists, 'body.suppressionLists');
    const launch = await launchCampaign({ db, client, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, fault: deps.config.API_FAULT }, body, key, request.actor);
    if (launch.kind === 'conflict') throw conflict(launch.message);
    const { campaign, created } = launch;
    reply.header('location', `/campaigns/${campaign.id}`);
    return reply.status(created ? 201 : 200).send({ id: campaign.id, workflowId: campaign.workflow_id, status: campaign.status });
  });

  app.get('/campaigns', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: 'List campaigns, newest first',
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
      response: { 200: z.object({ campaigns: z.array(CampaignCreated.extend({ name: z.string(), createdAt: z.string() })) }) },
    },
  }, async (request) => {
    const { rows } = await db.query<CampaignRow>('SELECT * FROM campaigns ORDER BY created_at DESC LIMIT $1', [request.query.limit]);
    return {
      campaigns: rows.map((c) => ({ id: c.id, workflowId: c.workflow_id, status: c.status, name: c.name, createdAt: c.created_at.toISOString() })),
    };
  });

  app.get('/campaigns/:id', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: "A campaign's status and funnel (counted in Postgres)",
      params: IdParams,
      response: { 200: CampaignView, 404: ErrorBody },
    },
  }, async (request) => {
    const campaign = await findCampaign(db, request.params.id);
    if (!campaign) throw notFound(`campaign '${request.params.id}'`);
    return {
      id: campaign.id, workflowId: campaign.workflow_id, status: campaign.status, name: campaign.name,
      endedBecause: campaign.ended_because, funnel: await readCampaignFunnel(db, campaign.id),
      outages: ['completed', 'cancelled', 'failed'].includes(campaign.status) ? [] : await liveOutages(client, campaign.workflow_id),
      leadFailures: await countLeadFailures(db, campaign.id), createdAt: campaign.created_at.toISOString(),
      temporalUi: uiLink(deps, campaign.workflow_id),
    };
  });

  const liveCampaign = (id: string) => findLiveCampaign(db, id);

  app.patch('/campaigns/:id/dialing', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: 'Change concurrency, attempts or retry delay while the campaign runs (refused with a reason when bad)',
      params: IdParams,
      body: DialingChangeSchema,
      response: {
        200: z.object({ id: z.string(), status: z.string(), dialing: z.object({ maxConcurrentCalls: z.number(), maxAttempts: z.number(), retryDelaySeconds: z.number() }) }),
        404: ErrorBody,
        409: ErrorBody,
      },
    },
  }, async (request) => {
    const campaign = await liveCampaign(request.params.id);
    try {
      const progress = await client.workflow.getHandle(campaign.workflow_id).executeUpdate(updateDialingUpdate, { args: [request.body, request.actor!] });
      return { id: campaign.id, status: progress.status, dialing: progress.dialing };
    } catch (err) {
      throw refusalOf(err, `campaign '${campaign.id}'`);
    }
  });

  app.patch('/campaigns/:id/settings', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: 'Change dialing and retry policy, pacing or calling window while the campaign runs (validated by the workflow; refused whole with a reason)',
      params: IdParams,
      body: SettingsChangeSchema,
      response: {
        200: z.object({ id: z.string(), status: z.string(), dialing: z.record(z.string(), z.unknown()), pacing: z.record(z.string(), z.unknown()), window: z.record(z.string(), z.unknown()) }),
        409: ErrorBody,
        ...rules('window.end later than window.start'),
      },
    },
  }, async (request) => {
    const campaign = await liveCampaign(request.params.id);
    try {
      const progress = await client.workflow.getHandle(campaign.workflow_id).executeUpdate(updateSettingsUpdate, { args: [request.body, request.actor!] });
      return { id: campaign.id, status: progress.status, dialing: progress.dialing, pacing: progress.pacing, window: progress.window };
    } catch (err) {
      throw refusalOf(err, `campaign '${campaign.id}'`);
    }
  });

  app.post('/campaigns/:id/leads/:leadId/stop', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: 'Stop calling one lead (a complaint, a request): no further attempt, within seconds; `code: do-not-call` also puts its number on the do-not-call register',
      params: z.strictObject({ id: IdParams.shape.id, leadId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      body: z.strictObject({
        reason: text(1, 500),
        code: z.enum(STOP_CODES).optional().describe('why, for programs: do-not-call (the customer asked never to be called: the number goes on the register, for every campaign), complaint, other'),
      }),
      response: {
        202: z.object({ campaignId: z.string(), leadId: z.number(), accepted: z.boolean(), onDoNotCallRegister: z.boolean() }),
        404: ErrorBody, 409: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const campaign = await liveCampaign(request.params.id);
    const { leadId } = request.params;
    const { rowCount } = await db.query('SELECT 1 FROM leads WHERE id = $1 AND campaign_id = $2', [leadId, campaign.id]);
    if (!rowCount) throw notFound(`lead ${leadId} in campaign '${campaign.id}'`);
    const { reason, code } = request.body;
    // On the register before the signal: the number stays in Postgres (the signal carries the lead's id).
    const onRegister = stopPutsOnRegister(code);
    if (onRegister) await db.query(ADD_LEAD_TO_REGISTER, [leadId, campaign.id, reason, leadStopRef(campaign.id, leadId), actorText(request.actor!)]);
    await client.workflow.getHandle(campaign.workflow_id).signal(stopLeadSignal, { leadId, reason, ...(code ? { code } : {}), by: request.actor! });
    return reply.status(202).send({ campaignId: campaign.id, leadId, accepted: true, onDoNotCallRegister: onRegister });
  });

  const controls = { pause: pauseUpdate, resume: resumeUpdate, cancel: cancelUpdate } as const;
  const CancelBody = z.strictObject({ reason: text(1, 500).optional() }).nullish();
  for (const [action, update] of Object.entries(controls)) {
    app.post(`/campaigns/:id/${action}`, {
      config: { roles: ['marketing'] },
      schema: {
        tags: ['campaigns'],
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} a campaign (answers once the workflow accepted or refused it)`
          + (action === 'cancel' ? '; the optional reason shows in the Temporal UI' : ''),
        params: IdParams,
        ...(action === 'cancel' ? { body: CancelBody } : {}),
        response: { 200: z.object({ id: z.string(), status: z.string(), inFlight: z.number() }), 404: ErrorBody, 409: ErrorBody },
      },
    }, async (request) => {
      const campaign = await liveCampaign(request.params.id);
      const handle = client.workflow.getHandle(campaign.workflow_id);
      try {
        const progress = update === cancelUpdate
          ? await handle.executeUpdate(cancelUpdate, { args: [{ ...(request.body as z.infer<typeof CancelBody> ?? {}), by: request.actor! }] })
          : await handle.executeUpdate(update as typeof pauseUpdate, { args: [{ by: request.actor! }] });
        return { id: campaign.id, status: progress.status, inFlight: progress.inFlight };
      } catch (err) {
        throw refusalOf(err, `campaign '${campaign.id}'`);
      }
    });
  }
};
