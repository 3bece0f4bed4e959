import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound } from '../errors';
import { findCampaign } from '../campaign/store';
import type { Queryable } from '../../db/queryable';
import { EVALUATION_GROUPS_SQL, EVALUATION_PERIOD_SQL, type EvaluationGroupRow } from '../../db/reports/evaluation-sql';
import { MEASURES, MIN_EVENTS, MIN_GROUP, evaluate, type GroupFigures } from '../../domain/reports/evaluation';
import type { Holdout } from '../../domain/campaign/holdout';

/** Days after a campaign's end that its evaluation still counts orders, activations and churn. */
export const FOLLOW_THROUGH_DAYS = 30;

const GroupMeasure = z.object({
  n: z.number().int().describe('leads the measure counts in this group'),
  events: z.number().int().optional().describe('for a share: how many of them had the event'),
  value: z.number().nullable().describe('the share (0..1) or the mean (yuan); null when n is 0'),
});

const Measure = z.object({
  measure: z.enum(MEASURES),
  meaning: z.string(),
  unit: z.enum(['share', 'yuan']),
  treated: GroupMeasure,
  heldOut: GroupMeasure,
  uplift: z.number().nullable().describe('treated minus held out (a share difference, or yuan)'),
  ci: z.object({ lower: z.number(), upper: z.number() }).nullable().describe('95% interval of the uplift: Newcombe (hybrid score) for shares, Welch for the spend change'),
  verdict: z.enum(['too-small', 'no-difference', 'raised', 'lowered']),
  says: z.string(),
});

const Evaluation = z.object({
  campaignId: z.string(),
  holdout: z.object({ share: z.number() }).nullable().describe('null: the campaign held nobody out, and there is nothing to compare with'),
  explanation: z.string(),
  period: z.object({
    from: z.string().nullable().describe('the list pull (null before it)'),
    until: z.string().describe('now, or the campaign’s end plus followThroughDays once that has passed'),
    campaignEnded: z.string().nullable(),
    followThroughDays: z.number().int(),
  }).nullable(),
  groups: z.object({ treated: z.object({ leads: z.number().int() }), heldOut: z.object({ leads: z.number().int() }) }).nullable(),
  measures: z.array(Measure),
});

const none: GroupFigures = { leads: 0, ordered: 0, activated: 0, spendKnown: 0, spendMean: null, spendVariance: null, atRisk: 0, churned: 0 };
const num = (x: string | null) => (x === null ? null : Number(x));

/** Both groups' figures over the evaluation's period. */
async function groupFigures(db: Queryable, campaignId: string, days: number): Promise<{ treated: GroupFigures; heldOut: GroupFigures }> {
  const { rows } = await db.query<EvaluationGroupRow>(EVALUATION_GROUPS_SQL, [campaignId, days]);
  const figures = (heldOut: boolean): GroupFigures => {
    const r = rows.find((x) => x.held_out === heldOut);
    if (!r) return none;
    return {
      leads: Number(r.leads), ordered: Number(r.ordered), activated: Number(r.activated),
      spendKnown: Number(r.spend_known), spendMean: num(r.spend_mean), spendVariance: num(r.spend_variance),
      atRisk: Number(r.at_risk), churned: Number(r.churned),
    };
  };
  return { treated: figures(false), heldOut: figures(true) };
}

/** Did the campaign change anything: its treated leads against its control group (domain/reports/evaluation.ts). */
export const evaluationRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/reports/evaluation', {
    config: { roles: ['marketing', 'finance'] },
    schema: {
      tags: ['reports'],
      summary: "A campaign's evaluation: its called leads against the share it held out, with the uplift of each measure and a verdict",
      description: `Over one period for both groups (from the list pull to now, or to the campaign's end plus followThroughDays): `
        + 'per group the leads, the customers who ordered the offer (any channel) and had it activated, the mean change of monthly spend '
        + 'since the pull and the churn of those in the network at the pull. The uplift is treated minus held out with a 95% interval '
        + '(Newcombe for shares, Welch for the spend change); the verdict is too-small (a group under '
        + `${MIN_GROUP} leads, or fewer than ${MIN_EVENTS} events or non-events in both groups together), no-difference (the interval `
        + 'spans 0), raised or lowered. A campaign without a holdout answers holdout: null and says why there is nothing to compare.',
      querystring: z.strictObject({
        campaignId: z.string().min(1).max(63),
        followThroughDays: z.coerce.number().int().min(0).max(365).default(FOLLOW_THROUGH_DAYS)
          .describe("days after the campaign's end that still count"),
      }),
      response: { 200: Evaluation, 404: ErrorBody.describe('no campaign with this id') },
    },
  }, async (request) => {
    const { campaignId, followThroughDays } = request.query;
    const campaign = await findCampaign(deps.db, campaignId);
    if (!campaign) throw notFound(`campaign '${campaignId}'`);
    const holdout = (campaign.definition.holdout ?? null) as Holdout | null;
    if (!holdout) {
      return {
        campaignId: campaign.id, holdout: null, period: null, groups: null, measures: [],
        explanation: `campaign '${campaign.id}' held out no share of its list (its definition has no holdout), so there is no control group: `
          + 'what its calls changed cannot be told apart from what would have happened anyway. Launch a campaign with holdout: { share: 0.1 } to evaluate it.',
      };
    }
    const { rows: [period] } = await deps.db.query<{ from: Date | null; until: Date; ended_at: Date | null }>(
      EVALUATION_PERIOD_SQL, [campaign.id, followThroughDays]);
    const { treated, heldOut } = await groupFigures(deps.db, campaign.id, followThroughDays);
    const until = period!.until.toISOString();
    return {
      campaignId: campaign.id, holdout: { share: holdout.share },
      explanation: period!.from
        ? `${treated.leads} treated leads against ${heldOut.leads} held out (${Number((holdout.share * 100).toFixed(1))}% of the list), `
          + `from the list pull (${period!.from.toISOString()}) to ${until}, as assigned at the pull.`
        : 'the list has not been pulled yet: nothing to compare.',
      period: { from: period!.from?.toISOString() ?? null, until, campaignEnded: period!.ended_at?.toISOString() ?? null, followThroughDays },
      groups: { treated: { leads: treated.leads }, heldOut: { leads: heldOut.leads } },
      measures: evaluate(treated, heldOut),
    };
  });
};
