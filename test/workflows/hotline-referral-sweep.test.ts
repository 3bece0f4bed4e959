import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownDatabase } from '../support/own-database';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { hotlineCustomer, openCall, outcome, putOffer, recommend } from '../support/hotline';
import { REFERRAL_SWEEP_SCHEDULE_ID, REFERRAL_SWEEP_WORKFLOW, interactionWorkflowId } from '../../workflows/hotline/messages';
import { scheduleDefinitions } from '../../workers/schedules';

/**
 * The referral sweep (docs/hotline.md, "Referrals"): a referral whose workflow was lost (its
 * telling failed after the commit) is followed again, one past its window expired; a second pass
 * does nothing more. A database of its own: the sweep looks at every open referral.
 */
let h: Harness;
const run = uniqueId('swp').slice(-8);
const AGENT = `A${run}`;

beforeAll(async () => { h = await startHarness({ databaseUrl: await ownDatabase('hotline_sweep') }); });
afterAll(async () => { await h?.close(); });

/** A call whose one recommendation was referred to the app, its workflow then lost: the interaction and recommendation. */
async function lostReferral(city: string) {
  await putOffer(h, `sweep-${city}-${run}`, city);
  const interaction = await openCall(h, await hotlineCustomer(h, { city }), AGENT);
  const [rec] = (await recommend(h, interaction, AGENT)).recommendations;
  expect((await outcome(h, interaction, { recommendationId: rec!.id, outcome: 'referred', referredChannel: 'app' }, AGENT)).statusCode).toBe(201);
  await h.client.workflow.getHandle(interactionWorkflowId(interaction)).terminate('lost, as a failed start would leave it');
  return { interaction, rec: rec!.id };
}

const sweep = () => h.client.workflow.execute(REFERRAL_SWEEP_WORKFLOW, { taskQueue: h.taskQueue, workflowId: uniqueId('sweep'), args: [] }) as
  Promise<{ expired: number; followed: number; checked: number }>;

describe('the referral sweep', () => {
  it('follows again an open referral with no running workflow, expires one past its window, and does nothing more the second time', async () => {
    const lost = await lostReferral('s1');
    const late = await lostReferral('s2');
    await h.db.query(`UPDATE hotline_referrals SET referred_at = now() - interval '2 minutes' WHERE recommendation_id = $1`, [lost.rec]);
    await h.db.query(`UPDATE hotline_referrals SET referred_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE recommendation_id = $1`, [late.rec]);

    expect(await sweep()).toEqual({ expired: 1, followed: 1, checked: 1 });
    const described = await h.client.workflow.getHandle(interactionWorkflowId(lost.interaction)).describe();
    expect(described.status.name).toBe('RUNNING');
    const { rows } = await h.db.query('SELECT recommendation_id, status FROM hotline_referrals WHERE recommendation_id = ANY($1) ORDER BY recommendation_id', [[lost.rec, late.rec]]);
    expect(rows.map((r) => [Number(r.recommendation_id), r.status])).toEqual([[lost.rec, 'open'], [late.rec, 'expired']].sort((a, b) => Number(a[0]) - Number(b[0])));
    const { rows: [expired] } = await h.db.query(`SELECT count(*)::int AS n FROM hotline_outcomes WHERE recommendation_id = $1 AND outcome = 'expired'`, [late.rec]);
    expect(expired.n).toBe(1);

    expect(await sweep()).toEqual({ expired: 0, followed: 0, checked: 0 });
  });

  it('is a Schedule of its own, every 10 minutes', () => {
    const def = scheduleDefinitions({ taskQueue: 'q', timeZone: 'Asia/Shanghai' }).find((d) => d.scheduleId === REFERRAL_SWEEP_SCHEDULE_ID);
    expect(def?.action).toMatchObject({ type: 'startWorkflow', workflowType: REFERRAL_SWEEP_WORKFLOW });
    expect(def?.spec.intervals).toEqual([{ every: '10 minutes' }]);
  });
});
