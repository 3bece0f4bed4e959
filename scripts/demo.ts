import cliProgress from 'cli-progress';
import { parseArgs } from 'node:util';
import { runMain } from '../infra/process';
import type { CampaignDefinitionInput } from '../domain/campaign/campaign';
import { FUNNEL_STEPS, type Funnel } from '../domain/reports/funnel';
import { bringUpStack } from './stack/up';
import { Supervisor } from './stack/supervisor';
import { DemoApi } from './demo-api';
import { playLastMonthEnd, printLeaderboard, setUpSalesPoints } from './demo-sales-points';
import { playHotline } from './demo-hotline';
import { dashboardLink, devToken, printCodecSignIn, printDashboard } from './stack/tokens';
import type { Role } from '../domain/access/roles';

const DEMO_TEAM = 'outbound-demo';
const DEMO_AGENTS = 20;

/**
 * `npm run demo`: brings the stack up, launches a campaign of 600 leads through the API, plays the
 * scheduler for deliveries that end up held, and prints the funnel and where to look: the Temporal
 * UI and the dashboard. Its agents are staff earning sales points: the leaderboard follows, and
 * last month's reconciliation played through (docs/sales-points.md).
 */
await runMain('demo', async () => {
  const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false }, leads: { type: 'string', default: '600' } } });
  const leads = Number(values.leads);
  if (!Number.isInteger(leads) || leads < 1 || leads > 20_000) throw new Error('--leads must be an integer in 1..20000');

  const sup = new Supervisor('npm run demo');
  try {
    const stack = await bringUpStack(sup, { customers: 20_000 });
    const api = new DemoApi(stack.apiUrl, demoTokens(stack.tokens));
    const id = `demo-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '').toLowerCase()}`;
    const { team, agents } = await staffTeam(api, stack.config.DIALER_URL);
    await setUpSalesPoints(api, agents, stack.config.OPERATOR_TIME_ZONE);
    const definition: CampaignDefinitionInput = {
      id,
      name: 'Demo: fibre-300 upsell to in-network customers',
      offer: { code: 'fiber-300', name: 'Fibre broadband 300M', price: 99 },
      segment: { inNetwork: true, maxLeads: leads },
      team,
      dialing: { maxConcurrentCalls: 40, maxAttempts: 3, retryDelaySeconds: 2 },
      // two calls per free agent, braked if more than 3% of answered calls find no agent
      pacing: { mode: 'predictive', callsPerAgent: 2, maxAbandonRate: 0.03 },
      // the demo runs at any hour; a real campaign keeps the default 08:00–21:00 in each lead's time zone
      window: { start: '00:00', end: '24:00' },
      orders: { followUpDelaySeconds: 3, deliveryRetryDelaySeconds: 1, followUpMaxAttempts: 2, followUpRetryDelaySeconds: 1 },
    };
    const created = await api.post('/campaigns', definition, { 'idempotency-key': id });
    console.log(`\ncampaign ${id} launched (${created.status}); workflow ${created.workflowId}`);
    console.log(`watch it   ${dashboardLink(stack.apiUrl, stack.tokens)}\n`);

    const funnel = await watchCampaign(api, id);
    printFunnel(funnel);
    const ui = `${stack.uiUrl}/namespaces/default`;
    await printLeaderboard(api);
    await playLastMonthEnd(api, stack.config.OPERATOR_TIME_ZONE, ui);
    if (stack.config.AUTH_JWT_SECRET) {
      console.log('\nThe hotline: three customers call, the agent offers what the next best offer picks');
      const agentApi = new DemoApi(stack.apiUrl, () => devToken(stack.config.AUTH_JWT_SECRET!, agents[0]!, ['agent']), 'agent');
      await playHotline(api, agentApi, { db: stack.db, dialerUrl: stack.config.DIALER_URL, apiUrl: stack.apiUrl, timeZone: stack.config.OPERATOR_TIME_ZONE });
    }
    console.log(`\nTemporal UI`);
    console.log(`  campaign   ${ui}/workflows/campaign-${id}`);
    const { orders } = await api.as('scheduler').get(`/orders?campaignId=${id}&limit=3`);
    for (const o of orders as { id: string; status: string }[]) console.log(`  order      ${ui}/workflows/order-${o.id}  (${o.status})`);
    console.log(`  all orders ${ui}/workflows?query=${encodeURIComponent(`CampaignId="${id}"`)}`);
    printDashboard(stack.apiUrl, stack.tokens, values.keep ? '' : '; up until the demo ends, or with --keep after it');
    printCodecSignIn(stack.apiUrl, stack.tokens);
    if (values.keep) {
      console.log('\n--keep: the stack stays up (the API, its dashboard and the Temporal UI), crashed processes restarted as by `npm run stack`; Ctrl-C stops it.');
      sup.keepRunning();
      await sup.watch(new Promise<never>(() => {}));
    }
  } finally {
    await sup.stop();
  }
});

/**
 * The operations side of the demo: the team and its agents in our roster (through the API), and
 * the agents logging in to the dialer (the sim's config stands for their softphones).
 */
async function staffTeam(api: DemoApi, dialerUrl: string): Promise<{ team: string; agents: string[] }> {
  await api.put(`/teams/${DEMO_TEAM}`, { name: 'Outbound sales, demo shift' });
  const agents = Array.from({ length: DEMO_AGENTS }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
  for (const a of agents) await api.put(`/agents/${a}`, { team: DEMO_TEAM, name: `Agent ${a.slice(6)}` });
  const res = await fetch(`${dialerUrl}/config`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agents: { [DEMO_TEAM]: agents } }),
  });
  if (!res.ok) throw new Error(`the dialer refused the agents' log-in: ${res.status} ${await res.text()}`);
  console.log(`team       ${DEMO_TEAM}: ${agents.length} agents logged in to the dialer`);
  return { team: DEMO_TEAM, agents };
}

/** Polls the API until the campaign has called every lead and every order has settled. */
async function watchCampaign(api: DemoApi, id: string): Promise<Funnel> {
  const tty = process.stdout.isTTY;
  // Kept under 80 columns: a wrapped line breaks the bars' redraw.
  const bars = new cliProgress.MultiBar(
    { format: ' {name} |{bar}| {value}/{total} {note}', barsize: 24, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const calls = tty ? bars.create(1, 0, { name: 'leads called    ', note: '' }) : undefined;
  const activated = tty ? bars.create(1, 0, { name: 'orders activated', note: '' }) : undefined;
  const finished = tty ? bars.create(1, 0, { name: 'orders finished ', note: '' }) : undefined;
  const retried = new Map<string, number>();
  const deadline = Date.now() + 15 * 60_000;
  // Nothing moving for this long is a fault (say, a worker failing every task), not slowness.
  const STALL_MS = 3 * 60_000;
  let lastLog = 0;
  let lastState = '';
  let lastChange = Date.now();
  try {
    for (;;) {
      const c = await api.get(`/campaigns/${id}`);
      const f = c.funnel as Funnel;
      const done = (await api.as('scheduler').get(`/orders?campaignId=${id}&stage=done&limit=1`)).total as number;
      await actAsScheduler(api.as('scheduler'), id, retried);
      const leadsDone = c.status === 'completed' ? f.listed : f.dialed;
      calls?.setTotal(Math.max(f.listed, 1));
      calls?.update(leadsDone, { note: `(${f.accepted} accepted)` });
      activated?.setTotal(Math.max(f.ordered, 1));
      activated?.update(f.activated, { note: `(${f.delivered} delivered)` });
      finished?.setTotal(Math.max(f.ordered, 1));
      finished?.update(done, { note: `(${f.followedUp} followed up)` });
      if (!tty && Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        console.log(`[${c.status}] ${FUNNEL_STEPS.map((k) => `${k} ${f[k]}`).join(' · ')} · orders done ${done}`);
      }
      if (c.status === 'completed' && done === f.ordered) return f;
      const state = `${c.status} ${JSON.stringify(f)} ${done}`;
      if (state !== lastState) [lastState, lastChange] = [state, Date.now()];
      else if (Date.now() - lastChange > STALL_MS) {
        throw new Error(`the demo campaign made no progress for ${STALL_MS / 60_000} minutes; see .data/logs/worker.log`);
      }
      if (Date.now() > deadline) throw new Error('the demo campaign did not finish within 15 minutes; see .data/logs/');
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    bars.stop();
  }
}

/** Plays the dispatcher: retries a held delivery twice, then cancels the order. */
async function actAsScheduler(api: DemoApi, id: string, retried: Map<string, number>): Promise<void> {
  const { orders } = await api.get(`/orders?campaignId=${id}&status=held&limit=100`);
  for (const o of orders as { id: string }[]) {
    const n = retried.get(o.id) ?? 0;
    retried.set(o.id, n + 1);
    if (n < 2) await api.post(`/orders/${o.id}/delivery/retry`, {}, {}, [200, 409]);
    else await api.post(`/orders/${o.id}/cancel`, { reason: 'customer could not be reached for delivery' }, {}, [200, 409]);
  }
}

/**
 * The demo's tokens: the stack's own, one per role; with a key of your own (AUTH_*), DEMO_TOKEN,
 * a token of yours holding the roles marketing and scheduler (or admin).
 */
function demoTokens(tokens: Record<Role, string> | undefined): (role: Role) => string {
  if (tokens) return (role) => tokens[role];
  const mine = process.env.DEMO_TOKEN;
  if (!mine) throw new Error('AUTH_* names a key of yours, so the demo makes no token: set DEMO_TOKEN to one with the roles marketing and scheduler');
  return () => mine;
}

function printFunnel(f: Funnel): void {
  console.log('\nFunnel');
  const width = Math.max(...FUNNEL_STEPS.map((k) => k.length));
  for (const k of FUNNEL_STEPS) {
    const pct = f.listed ? ((100 * f[k]) / f.listed).toFixed(1) : '0.0';
    console.log(`  ${k.padEnd(width)}  ${String(f[k]).padStart(6)}  ${pct.padStart(5)}%`);
  }
}
