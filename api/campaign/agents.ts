import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { agentReportSchema } from '../../domain/campaign/dialing';
import { text } from '../../domain/text';
import { maskMsisdn } from '../../domain/compliance/masking';
import { chooseScript } from '../../domain/hotline/scripts';
import { readPreviewLead } from '../../db/campaign/preview-sql';
import { nextLeadUpdate, reportCallUpdate } from '../../workflows/campaign/messages';
import type { AppDeps } from '../deps';
import { findLiveCampaign, type CampaignRow } from './store';
import { ErrorBody, HttpError, notFound, refusalOf, ruleBroken, rules } from '../errors';

const Code = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes');
const AgentId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,59}$/, 'lower-case letters, digits, dots, dashes');
/** Who a preview request acts for depends on the token, which no schema sees. */
const AGENT_ID_RULE = 'agentId: required unless the caller is an agent (who acts as themself)';
const Team = z.object({ code: z.string(), name: z.string(), agents: z.number().int() });
const Agent = z.object({ id: z.string(), team: z.string(), name: z.string(), active: z.boolean() });

const Lead = z.object({
  campaignId: z.string(),
  leadId: z.number(),
  attemptNo: z.number(),
  callId: z.string(),
  msisdn: z.string(),
  customer: z.object({ region: z.string(), city: z.string(), plan: z.string(), tenureMonths: z.number(), monthlySpend: z.number() }),
  ownCallback: z.boolean(),
  offer: z.object({ code: z.string(), name: z.string(), price: z.number() }),
  script: z.string().nullable().describe("what the agent reads: the scripts library's for the offer and the customer's brand, else the campaign's own"),
  scriptFrom: z.object({ offerCode: z.string(), brand: z.string(), version: z.number() }).nullable()
    .describe("which of the library's scripts `script` is (brand '*': every brand's); null: the campaign's own text, or no script"),
});

/**
 * Teams and agents (the roster), and preview dialing: an agent asks a campaign for the next lead,
 * calls it and reports the disposition. The campaign workflow hands leads out and takes reports
 * (Temporal updates), so the funnel and the retry rule stay in one place.
 */
export const agentRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  app.get('/teams', {
    config: { roles: ['marketing'] },
    schema: { tags: ['agents'], summary: 'Teams and how many active agents each has', response: { 200: z.object({ teams: z.array(Team) }) } },
  }, async () => {
    const { rows } = await db.query<{ code: string; name: string; agents: string }>(
      `SELECT t.code, t.name, count(a.id) FILTER (WHERE a.active) AS agents FROM teams t LEFT JOIN agents a ON a.team = t.code
        GROUP BY t.code, t.name ORDER BY t.code`);
    return { teams: rows.map((r) => ({ code: r.code, name: r.name, agents: Number(r.agents) })) };
  });

  app.put('/teams/:code', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['agents'], summary: 'Create or rename a team (idempotent)',
      params: z.strictObject({ code: Code }), body: z.strictObject({ name: text(1, 200) }),
      response: { 200: Team },
    },
  }, async (request) => {
    const { code } = request.params;
    await db.query(`INSERT INTO teams (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`, [code, request.body.name]);
    const { rows: [n] } = await db.query<{ n: string }>('SELECT count(*) AS n FROM agents WHERE team = $1 AND active', [code]);
    return { code, name: request.body.name, agents: Number(n!.n) };
  });

  app.get('/agents', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['agents'], summary: 'Agents, of one team or all',
      querystring: z.strictObject({ team: Code.optional() }), response: { 200: z.object({ agents: z.array(Agent) }) },
    },
  }, async (request) => {
    const { rows } = await db.query<z.infer<typeof Agent>>(
      'SELECT id, team, name, active FROM agents WHERE $1::text IS NULL OR team = $1 ORDER BY id', [request.query.team ?? null]);
    return { agents: rows };
  });

  app.put('/agents/:id', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['agents'], summary: 'Create or change an agent (idempotent)',
      params: z.strictObject({ id: AgentId }),
      body: z.strictObject({ team: Code, name: text(1, 200), active: z.boolean().default(true) }),
      response: { 200: Agent, 404: ErrorBody.describe('no such team') },
    },
  }, async (request) => {
    const { team, name, active } = request.body;
    const { rows } = await db.query<z.infer<typeof Agent>>(
      `INSERT INTO agents (id, team, name, active) SELECT $1, t.code, $3, $4 FROM teams t WHERE t.code = $2
       ON CONFLICT (id) DO UPDATE SET team = EXCLUDED.team, name = EXCLUDED.name, active = EXCLUDED.active
       RETURNING id, team, name, active`,
      [request.params.id, team, name, active]);
    if (!rows[0]) throw notFound(`team '${team}'`);
    return rows[0];
  });

  const previewCampaign = (id: string) => findLiveCampaign(db, id);

  /**
   * The agent a preview request acts for. An agent acts only as themself (the token's subject);
   * an admin may act for any agent, named in the body.
   */
  function actingAgent(request: FastifyRequest, named: string | undefined): string {
    const actor = request.actor!;
    if (actor.role !== 'agent') {
      if (!named) throw ruleBroken('body.agentId', `required when acting as ${actor.role}`);
      return named;
    }
    if (named !== undefined && named !== actor.sub) throw new HttpError(403, 'forbidden', `${actor.sub} may act only as themself, not as ${named}`);
    return actor.sub;
  }

  /** An agent works only campaigns of their own team, being on the roster; which leads they hold, the campaign checks. */
  async function checkAgentsTeam(request: FastifyRequest, campaign: CampaignRow): Promise<void> {
    const actor = request.actor!;
    if (actor.role !== 'agent') return;
    const { rows: [agent] } = await db.query<{ team: string; active: boolean }>('SELECT team, active FROM agents WHERE id = $1', [actor.sub]);
    if (!agent?.active) throw new HttpError(403, 'forbidden', `${actor.sub} is not an active agent on the roster`);
    const team = (campaign.definition as { team?: string }).team;
    if (team !== agent.team) throw new HttpError(403, 'forbidden', `campaign '${campaign.id}' is worked by ${team ? `team ${team}` : 'no team'}; ${actor.sub} is in team ${agent.team}`);
  }

  app.post('/campaigns/:id/next-lead', {
    config: { roles: ['agent'] },
    schema: {
      tags: ['agents'],
      summary: 'Preview mode: the next lead for this agent, with its script and masked number (204 when none is callable now)',
      description: "`script` is the scripts library's for the campaign's offer and the customer's brand (else its every-brand one) when the library has one, "
        + "`scriptFrom` naming the version; else the campaign's own `script`.",
      params: z.strictObject({ id: z.string().min(1).max(63) }),
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      body: z.strictObject({ agentId: AgentId.optional().describe('the agent to act for: an agent acts as themself (the token), an admin names one') }).default({}),
      response: { 200: Lead, 204: z.null().describe('no lead is callable now'), 409: ErrorBody, ...rules(AGENT_ID_RULE) },
    },
  }, async (request, reply) => {
    const agentId = actingAgent(request, request.body.agentId);
    const campaign = await previewCampaign(request.params.id);
    await checkAgentsTeam(request, campaign);
    const key = request.headers['idempotency-key'];
    try {
      // The Idempotency-Key names the update: a retried request gets the same lead, not a second one.
      const lead = await client.workflow.getHandle(campaign.workflow_id).executeUpdate(nextLeadUpdate, {
        args: [{ agentId, ...(request.actor!.role !== 'agent' ? { by: request.actor! } : {}) }], ...(key ? { updateId: `next-lead-${agentId}-${key}` } : {}),
      });
      if (!lead) return reply.status(204).send(null);
      // The number never travels through Temporal: read here, masked (a lead handed out before carries it),
      // with the library's scripts of the offer for the customer's brand, which win over the campaign's text.
      const facts = await readPreviewLead(db, lead.leadId, lead.offer.code);
      const script = chooseScript(facts?.scripts ?? [], lead.offer.code, facts?.brand ?? null, lead.script);
      return { ...lead, msisdn: lead.msisdn ?? maskMsisdn(facts?.msisdn ?? ''), script: script?.body ?? null, scriptFrom: script?.library ?? null };
    } catch (err) {
      throw refusalOf(err, `campaign '${campaign.id}'`);
    }
  });

  app.post('/campaigns/:id/leads/:leadId/report', {
    config: { roles: ['agent'] },
    schema: {
      tags: ['agents'],
      summary: 'Preview mode: how the call of a lead this agent holds went (its disposition)',
      params: z.strictObject({ id: z.string().min(1).max(63), leadId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      body: agentReportSchema({ agentId: AgentId.optional() }),
      response: { 200: z.object({ campaignId: z.string(), leadId: z.number(), status: z.string(), attempts: z.number(), accepted: z.number() }), 409: ErrorBody, ...rules(AGENT_ID_RULE) },
    },
  }, async (request) => {
    const { agentId: named, ...report } = request.body;
    const agentId = actingAgent(request, named);
    const campaign = await previewCampaign(request.params.id);
    await checkAgentsTeam(request, campaign);
    try {
      const progress = await client.workflow.getHandle(campaign.workflow_id).executeUpdate(reportCallUpdate, {
        args: [{ agentId, leadId: request.params.leadId, ...report, ...(request.actor!.role !== 'agent' ? { by: request.actor! } : {}) }],
      });
      return { campaignId: campaign.id, leadId: request.params.leadId, status: progress.status, attempts: progress.attempts, accepted: progress.accepted };
    } catch (err) {
      throw refusalOf(err, `campaign '${campaign.id}'`);
    }
  });
};
