import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createWorker } from '../workers/worker';
import { DEFAULT_WINDOW } from '../domain/campaign/calling-window';
import type { CampaignDefinitionInput } from '../domain/campaign/campaign';
import { campaignWorkflowId, DEFAULT_HISTORY_LIMIT, progressQuery, type CampaignProgress } from '../workflows/campaign/messages';
import { median, seconds, writeSection } from './report';
import { temporalDataConverter } from '../infra/privacy/data-converter';
import { argValue, positiveInt, withBenchStack, type BenchPorts } from './stack';
import { tickSignal, type BareLoopInput, type BareLoopResult } from './workflows';

/**
 * Ports of this bench's own parts: none of the demo's (7233/8233, 3000, 4001-4003), nor the
 * tests' (7245, ephemeral), so it runs beside either.
 */
const BENCH_PORTS: BenchPorts = { temporal: 7261, temporalUi: 8261, api: 3061, dialer: 4061, courier: 4062, bss: 4063 };
const DEFAULT_LEADS = 5_000;
const DEFAULT_ROUNDS = 3;
const CONCURRENCY = 50;
/** The campaign's own hand-over threshold. */
const HISTORY_LIMIT = DEFAULT_HISTORY_LIMIT;
const WARMUP_LEADS = 300;
/** `campaign-scale`: one campaign of this many leads, the worker's memory sampled throughout. */
const SCALE_LEADS = 1_000_000;
/** One side taking longer than this is a failure, not a figure. */
const SIDE_LIMIT_MS = 15 * 60_000;
const CAMPAIGN_QUEUE = 'bench-campaign';
const BARE_QUEUE = 'bench-bare';
const BENCH_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.ts', import.meta.url));

/** Every call ends at once, refused: one call per lead, no retry, no order. */
const INSTANT_REFUSING_DIALER = {
  ringMs: { min: 0, max: 0 },
  mix: { 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 1, 'callback-requested': 0, accepted: 0 },
};

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

interface ActivityTiming {
  count: number;
  /** Sum of schedule → start (waiting in the task queue). */
  queuedMs: number;
  /** Sum of start → close (running, and for placeCall waiting for the webhook). */
  runMs: number;
}

/** What one workflow chain (all its continue-as-new runs) left in its histories. */
interface ChainStats {
  runs: number;
  maxHistory: number;
  historyLengths: number[];
  activities: number;
  signals: number;
  workflowTasks: number;
  /** Workflow tasks failed or timed out (e.g. the server's flush of too many buffered signals). */
  failedWorkflowTasks: number;
  byType: Map<string, ActivityTiming>;
  /** Server time the first run started and the last one closed. */
  startedMs: number;
  closedMs: number;
  /** Server time the list pull completed (campaign only). */
  pullDoneMs?: number;
}

interface Side {
  /** Milliseconds of the measured span. */
  ms: number;
  leadsPerSec: number;
  stats: ChainStats;
}

const tsMs = (ts: HistoryEvent['eventTime']): number => {
  if (!ts) return 0;
  const s = ts.seconds as unknown as number | { toNumber(): number } | null | undefined;
  const secs = s == null ? 0 : typeof s === 'number' ? s : s.toNumber();
  return secs * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
};

/** Reads every run of a workflow chain, walking back from the latest along continuedExecutionRunId. */
async function chainStats(client: Client, workflowId: string): Promise<ChainStats> {
  const stats: ChainStats = {
    runs: 0, maxHistory: 0, historyLengths: [], activities: 0, signals: 0, workflowTasks: 0, failedWorkflowTasks: 0, byType: new Map(),
    startedMs: Infinity, closedMs: 0,
  };
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const events: HistoryEvent[] = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    stats.runs++;
    stats.historyLengths.unshift(events.length);
    stats.maxHistory = Math.max(stats.maxHistory, events.length);
    const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
    for (const e of events) {
      const at = tsMs(e.eventTime);
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) {
        stats.activities++;
        scheduled.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
      } else if (e.activityTaskStartedEventAttributes) {
        const s = scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
        if (s) s.startedAt = at;
      } else if (e.activityTaskCompletedEventAttributes || e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes) {
        const attrs = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes!;
        const s = scheduled.get(String(attrs.scheduledEventId));
        if (!s) continue;
        const t = stats.byType.get(s.type) ?? { count: 0, queuedMs: 0, runMs: 0 };
        const startedAt = s.startedAt ?? s.at;
        t.count++;
        t.queuedMs += startedAt - s.at;
        t.runMs += at - startedAt;
        stats.byType.set(s.type, t);
        if (s.type === 'pullList' && e.activityTaskCompletedEventAttributes) stats.pullDoneMs = at;
      } else if (e.workflowTaskCompletedEventAttributes) {
        stats.workflowTasks++;
      } else if (e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes) {
        stats.failedWorkflowTasks++;
      } else if (e.workflowExecutionSignaledEventAttributes) {
        stats.signals++;
      } else if (e.workflowExecutionStartedEventAttributes) {
        stats.startedMs = Math.min(stats.startedMs, at);
      } else if (e.workflowExecutionCompletedEventAttributes) {
        stats.closedMs = Math.max(stats.closedMs, at);
      } else if (e.workflowExecutionFailedEventAttributes || e.workflowExecutionTimedOutEventAttributes || e.workflowExecutionTerminatedEventAttributes) {
        throw new Error(`workflow ${workflowId} run ${runId} did not complete`);
      }
    }
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return stats;
}

/**
 * The workflow's result, or an error as soon as one of its activities keeps failing (a broken
 * activity is retried for ever and would hang the bench), or after `limitMs`.
 */
async function resultOrStuck<T>(client: Client, workflowId: string, limitMs: number, others: Promise<never>): Promise<T> {
  const handle = client.workflow.getHandle(workflowId);
  let done = false;
  const watchdog = (async (): Promise<never> => {
    const deadline = Date.now() + limitMs;
    while (!done) {
      await new Promise((r) => setTimeout(r, 3_000));
      if (done) break;
      const { raw } = await handle.describe();
      for (const a of raw.pendingActivities ?? []) {
        if ((a.attempt ?? 1) >= 4 && a.lastFailure) {
          throw new Error(`${workflowId}: activity ${a.activityType?.name} keeps failing (attempt ${a.attempt}): ${a.lastFailure.message}`);
        }
      }
      if (Date.now() > deadline) throw new Error(`${workflowId} did not complete within ${seconds(limitMs)}`);
    }
    return new Promise<never>(() => {});
  })();
  try {
    return await Promise.race([handle.result() as Promise<T>, watchdog, others]);
  } finally {
    done = true;
  }
}

/**
 * `npm run bench -- campaign [--leads N] [--rounds R]` (or BENCH_LEADS, BENCH_ROUNDS): leads per
 * second through the campaign loop (claim from the hopper, contact checks, place the calls, each
 * outcome by the dialer's webhook through the API, settle, continue as new) with a dialer that
 * answers at once, against a bare workflow doing the same Temporal work (as many no-op activities,
 * as concurrently, as many signals, the same hand-overs) on the same server in the same run.
 * Goal (issue): the ratio is at least 0.5.
 */
export async function benchCampaign(opts: { scale?: boolean } = {}): Promise<void> {
  const leads = positiveInt('--leads', argValue('--leads') ?? process.env.BENCH_LEADS, opts.scale ? SCALE_LEADS : DEFAULT_LEADS);
  const rounds = positiveInt('--rounds', argValue('--rounds') ?? process.env.BENCH_ROUNDS, DEFAULT_ROUNDS);
  if (leads > 5_000_000) throw new Error('--leads: at most 5,000,000 (the segment maxLeads limit)');

  await withBenchStack({
    purpose: 'npm run bench -- campaign',
    lockName: 'bench-campaign',
    database: 'telemarketing_bench_campaign',
    ports: BENCH_PORTS,
    taskQueue: CAMPAIGN_QUEUE,
    simConfig: { dialer: INSTANT_REFUSING_DIALER },
    // ~5% of generated customers are excluded (bad or shared numbers, do-not-call): 10% spare.
    customers: Math.ceil(Math.max(leads, WARMUP_LEADS) * 1.1) + 100,
  }, async ({ config, db: workerDb, client, apiUrl, token, onTeardown }) => {
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    onTeardown(() => connection.close());

    // ---- Two workers: the project's (campaign queue) and the bare loop's (its own queue)
    console.log('bundling the workflows of both workers …');
    const campaignWorker = await createWorker({ config, db: workerDb, client, connection });
    let failTicks: (err: unknown) => void = () => {};
    const tickFailed = new Promise<never>((_, reject) => { failTicks = reject; });
    tickFailed.catch(() => {});
    const bareWorker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: BARE_QUEUE,
      workflowsPath: BENCH_WORKFLOWS_PATH,
      // encrypted like the project's (the bench's client encrypts what it sends): the ratio compares the work alone
      dataConverter: temporalDataConverter(config.TEMPORAL_PAYLOAD_KEYS),
      activities: {
        // The bare dialer: the signals it was asked for are sent once the activity has returned,
        // all at once, as the API sends the campaign a signal for each webhook of the dialer.
        async noop({ workflowId, ticks }: { workflowId: string; ticks: number }) {
          if (!ticks) return;
          setImmediate(() => {
            const target = client.workflow.getHandle(workflowId);
            for (let n = 0; n < ticks; n++) target.signal(tickSignal, { n }).catch(failTicks);
          });
        },
      },
      maxConcurrentActivityTaskExecutions: 200, // as createWorker
    });
    const workerRuns = [campaignWorker.run(), bareWorker.run()];
    // A worker that dies fails the bench at once instead of leaving it waiting for a result.
    const workerDied = Promise.race(workerRuns.map((r) => r.then(() => { throw new Error('a worker stopped'); })));
    workerDied.catch(() => {});
    onTeardown(async () => {
      for (const w of [campaignWorker, bareWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(workerRuns);
    });

    // ---- The two sides
    let seq = 0;
    const runCampaign = async (n: number, onLaunched?: (id: string) => void): Promise<Side & { result: CampaignProgress }> => {
      const id = `bench-${Date.now().toString(36)}-${++seq}`;
      const def: CampaignDefinitionInput = {
        id,
        name: `bench ${n} leads`,
        offer: { code: 'bench-offer', name: 'Bench offer (owned by nobody)', price: 1 },
        segment: { maxLeads: n },
        dialing: { maxConcurrentCalls: CONCURRENCY, maxAttempts: 1, retryDelaySeconds: 0 },
        window: { ...DEFAULT_WINDOW, start: '00:00', end: '24:00' },
        contactCap: { maxCalls: 100, days: 1 },
      };
      const res = await fetch(`${apiUrl}/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(def) });
      if (res.status !== 201) throw new Error(`launching the campaign failed: ${res.status} ${await res.text()}`);
      const { workflowId } = (await res.json()) as { workflowId: string };
      onLaunched?.(id);
      const result = await resultOrStuck<CampaignProgress>(client, workflowId, Math.max(SIDE_LIMIT_MS, n * 20), workerDied);
      if (result.status !== 'completed' || result.listed !== n || result.attempts !== n || result.ordered !== 0) {
        throw new Error(`campaign ${id} did not do one call per lead: ${JSON.stringify(result)}`);
      }
      const stats = await chainStats(client, workflowId);
      if (stats.pullDoneMs === undefined) throw new Error(`campaign ${id}: no completed pullList in its history`);
      const ms = stats.closedMs - stats.pullDoneMs;
      return { ms, leadsPerSec: n / (ms / 1000), stats, result };
    };
    const runBare = async (n: number, like: ChainStats): Promise<Side> => {
      const input: BareLoopInput = { activities: like.activities, signals: like.signals, concurrency: CONCURRENCY, historyLimit: HISTORY_LIMIT };
      const workflowId = `bench-bare-${Date.now().toString(36)}-${++seq}`;
      await client.workflow.start('bareLoopWorkflow', { taskQueue: BARE_QUEUE, workflowId, args: [input] });
      const result = await resultOrStuck<BareLoopResult>(client, workflowId, SIDE_LIMIT_MS, Promise.race([workerDied, tickFailed]));
      if (result.activities !== like.activities || result.signals !== like.signals) {
        throw new Error(`bare loop ran ${result.activities} activities and got ${result.signals} signals, not ${like.activities} and ${like.signals}`);
      }
      const stats = await chainStats(client, workflowId);
      const ms = stats.closedMs - stats.startedMs;
      return { ms, leadsPerSec: n / (ms / 1000), stats };
    };

    if (opts.scale) {
      await scaleRun(leads, runCampaign, (id) => client.workflow.getHandle(campaignWorkflowId(id)).query(progressQuery));
      return;
    }

    // Warm-up (not measured): JIT, the workers' caches, Postgres' plans and buffers, on both sides.
    const tw = performance.now();
    const warm = await runCampaign(WARMUP_LEADS);
    await runBare(WARMUP_LEADS, warm.stats);
    // A fresh database has no statistics on the tables a campaign fills; a working one has.
    await workerDb.query('ANALYZE leads; ANALYZE call_attempts; ANALYZE campaigns');
    console.log(`warm-up: ${WARMUP_LEADS} leads through both sides in ${seconds(performance.now() - tw)}`);

    // The bare side does the Temporal work the campaign did (its activities and signals), so the
    // first round runs the campaign first to know it; later rounds alternate the order.
    const campaignSides: (Side & { result: CampaignProgress })[] = [];
    const bareSides: Side[] = [];
    for (let round = 1; round <= rounds; round++) {
      if (round % 2 === 1) {
        campaignSides.push(await runCampaign(leads));
        bareSides.push(await runBare(leads, campaignSides.at(-1)!.stats));
      } else {
        bareSides.push(await runBare(leads, campaignSides.at(-1)!.stats));
        campaignSides.push(await runCampaign(leads));
      }
      const c = campaignSides.at(-1)!;
      const b = bareSides.at(-1)!;
      console.log(`round ${round}: campaign ${seconds(c.ms)} = ${c.leadsPerSec.toFixed(1)} leads/s (${c.stats.runs} runs) · ` +
        `bare ${seconds(b.ms)} = ${b.leadsPerSec.toFixed(1)} leads/s (${b.stats.runs} runs)`);
    }

    const campaignRate = median(campaignSides.map((s) => s.leadsPerSec));
    const bareRate = median(bareSides.map((s) => s.leadsPerSec));
    const ratio = campaignRate / bareRate;
    const met = ratio >= 0.5;
    const last = campaignSides.at(-1)!.stats;
    const lastBare = bareSides.at(-1)!.stats;
    const maxHistory = Math.max(...campaignSides.map((s) => s.stats.maxHistory));
    const bareMaxHistory = Math.max(...bareSides.map((s) => s.stats.maxHistory));
    const failedTasks = (sides: Side[]) => sides.reduce((n, s) => n + s.stats.failedWorkflowTasks, 0);
    const per = (x: number) => (x / leads).toFixed(2);
    const mean = (total: number, count: number) => `${(total / count).toFixed(1)} ms`;
    const typeRows = [...last.byType.entries()].sort((a, b) => b[1].count - a[1].count);
    const bareNoop = lastBare.byType.get('noop');
    const work = (st: ChainStats) =>
      `${st.activities.toLocaleString()} activities, ${st.signals.toLocaleString()} signals, ${st.workflowTasks.toLocaleString()} workflow tasks`;

    console.log(`\ncampaign loop: ${leads.toLocaleString()} leads, ${CONCURRENCY} calls at once, instantly refusing dialer` +
      `${rounds > 1 ? ` (medians of ${rounds} rounds)` : ''}`);
    console.log(`  campaign   ${campaignRate.toFixed(1)} leads/s (${seconds(median(campaignSides.map((s) => s.ms)))} from the end of the list pull to completion)`);
    console.log(`  bare       ${bareRate.toFixed(1)} leads/s (${seconds(median(bareSides.map((s) => s.ms)))})`);
    console.log(`  ratio      ${ratio.toFixed(2)} ${met ? 'meets the goal (≥ 0.5)' : 'MISSES the goal (≥ 0.5)'}`);
    console.log(`  history    campaign: max ${maxHistory.toLocaleString()} events, ${last.runs} runs (${last.historyLengths.join(', ')}); ` +
      `bare: max ${bareMaxHistory.toLocaleString()}, ${lastBare.runs} runs`);
    console.log(`  work       campaign: ${work(last)} (${per(last.activities)} activities and ${per(last.signals)} signals per lead)`);
    console.log(`             bare:     ${work(lastBare)}`);
    if (failedTasks(campaignSides) + failedTasks(bareSides)) {
      console.log(`  failed workflow tasks: campaign ${failedTasks(campaignSides)}, bare ${failedTasks(bareSides)}`);
    }
    console.log('  campaign activities (last round): count · mean queued · mean start → close');
    for (const [type, t] of typeRows) {
      console.log(`    ${type.padEnd(18)} ${String(t.count).padStart(6)} · ${mean(t.queuedMs, t.count).padStart(9)} · ${mean(t.runMs, t.count).padStart(9)}`);
    }
    if (bareNoop) console.log(`    ${'bare noop'.padEnd(18)} ${String(bareNoop.count).padStart(6)} · ${mean(bareNoop.queuedMs, bareNoop.count).padStart(9)} · ${mean(bareNoop.runMs, bareNoop.count).padStart(9)}`);

    const runsCol = (sides: Side[]) => sides.map((s) => `${s.leadsPerSec.toFixed(1)} (${seconds(s.ms)})`).join(', ');
    writeSection('campaign', `## campaign: ${leads.toLocaleString()} leads through the campaign loop

\`npm run bench -- campaign\`, last run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores.

| | leads/s${rounds > 1 ? ` (median of ${rounds})` : ''} | rounds: leads/s (time) |
|---|---|---|
| bare workflow: the campaign's activities (no-ops, ${CONCURRENCY} at once) and signals, continue-as-new at ${HISTORY_LIMIT.toLocaleString()} events | ${bareRate.toFixed(1)} | ${runsCol(bareSides)} |
| campaign loop: claim, contact checks, dialer, webhook → API → workflow, settle, continue-as-new | ${campaignRate.toFixed(1)} | ${runsCol(campaignSides)} |
| **ratio** | **${ratio.toFixed(2)}** | goal ≥ 0.5: ${met ? 'met' : 'missed'} |

History: the campaign's longest run had **${maxHistory.toLocaleString()} events**; the last round's campaign ran in
${last.runs} runs (${last.historyLengths.map((n) => n.toLocaleString()).join(', ')} events) with ${work(last)}
(${per(last.activities)} activities and ${per(last.signals)} signals per lead). The bare workflow's longest run had
${bareMaxHistory.toLocaleString()} events; it ran in ${lastBare.runs} runs with ${work(lastBare)}.${failedTasks(campaignSides) + failedTasks(bareSides) ? `
Failed or timed-out workflow tasks: campaign ${failedTasks(campaignSides)}, bare ${failedTasks(bareSides)}.` : ''}

What each side does, on one Temporal dev server (in memory) and one Postgres, with the API and the
dialer sim each in its own process (as deployed) and both workers in the bench's process:

- **campaign**: a campaign launched through \`POST /campaigns\` with \`maxLeads\` ${leads.toLocaleString()}, calling window
  00:00–24:00 every day, ${CONCURRENCY} calls at once and one attempt per lead. The dialer sim rings for 0 ms and
  every call is refused, so each lead is exactly one call and no order starts. Each call's outcome
  reaches the workflow through the dialer's webhook to the API. Timed by the server's clock, from the
  end of the list pull (its \`ActivityTaskCompleted\` event) to the completion of the last run.
- **bare**: a bench-only workflow (\`bench/workflows.ts\`) on its own task queue and worker. It runs as many
  no-op activities as the campaign scheduled, at most ${CONCURRENCY} at once, and receives as many signals as
  the campaign received. An activity asks for the signals in batches of at most ${CONCURRENCY}, and the next
  batch comes once the last one has arrived, the way calls are placed and end. It hands over (drains,
  then continues as new) at the campaign's ${HISTORY_LIMIT.toLocaleString()} events. Timed from the start of its first run
  to the completion of its last run. Its leads/s is ${leads.toLocaleString()} leads over that time: the same
  Temporal work per lead.
- A warm-up of ${WARMUP_LEADS} leads goes through both sides first and is not counted.

Campaign activities in the last round (mean wait in the task queue, mean time from start to close):

| activity | count | queued | start → close |
|---|---|---|---|
${typeRows.map(([type, t]) => `| \`${type}\` | ${t.count.toLocaleString()} | ${mean(t.queuedMs, t.count)} | ${mean(t.runMs, t.count)} |`).join('\n')}
${bareNoop ? `| bare \`noop\` | ${bareNoop.count.toLocaleString()} | ${mean(bareNoop.queuedMs, bareNoop.count)} | ${mean(bareNoop.runMs, bareNoop.count)} |` : ''}
`);
    console.log('\nwritten to docs/benchmarks.md');
  });
}

/**
 * `npm run bench -- campaign-scale [--leads N]`: one campaign of a million leads (by default)
 * through the same loop, the bench process's memory (it holds the worker) sampled every second,
 * and the progress printed every 30 s. What it shows: every run's history stays bounded, and the
 * worker's memory does not grow with the list.
 */
async function scaleRun(
  leads: number,
  runCampaign: (n: number, onLaunched: (id: string) => void) => Promise<Side & { result: CampaignProgress }>,
  progressOf: (id: string) => Promise<CampaignProgress>,
): Promise<void> {
  const mb = (b: number) => Math.round(b / 1024 / 1024);
  const samples: { at: number; rss: number; heap: number }[] = [];
  const t0 = performance.now();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    samples.push({ at: performance.now() - t0, rss: m.rss, heap: m.heapUsed });
  }, 1_000);
  let id: string | undefined;
  const reporter = setInterval(async () => {
    const last = samples.at(-1);
    const p = id ? await progressOf(id).catch(() => undefined) : undefined;
    console.log(`[${seconds(performance.now() - t0)}] ${p ? `${p.attempts.toLocaleString()} calls, run ${p.run + 1}` : 'pulling the list'}` +
      `${last ? ` · rss ${mb(last.rss)} MB, heap ${mb(last.heap)} MB` : ''}`);
  }, 30_000);
  let side: Side & { result: CampaignProgress };
  try {
    side = await runCampaign(leads, (launched) => { id = launched; });
  } finally {
    clearInterval(sampler);
    clearInterval(reporter);
  }
  // Memory by quarter of the run: a flat line is a bounded worker.
  const quarter = (q: number) => {
    const inQ = samples.filter((x) => x.at >= (samples.at(-1)!.at * (q - 1)) / 4 && x.at <= (samples.at(-1)!.at * q) / 4);
    return { rss: Math.max(...inQ.map((x) => x.rss)), heap: Math.max(...inQ.map((x) => x.heap)) };
  };
  const quarters = [1, 2, 3, 4].map(quarter);
  const st = side.stats;
  console.log(`\ncampaign of ${leads.toLocaleString()} leads: ${side.leadsPerSec.toFixed(1)} leads/s (${seconds(side.ms)} after the list pull)`);
  console.log(`  history  max ${st.maxHistory.toLocaleString()} events over ${st.runs} runs`);
  console.log(`  memory   max rss by quarter: ${quarters.map((q) => `${mb(q.rss)} MB`).join(', ')}; heap: ${quarters.map((q) => `${mb(q.heap)} MB`).join(', ')}`);
  writeSection('campaign-scale', `## campaign-scale: one campaign of ${leads.toLocaleString()} leads

\`npm run bench -- campaign-scale\`, last run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores.
The same set-up as \`campaign\` (instantly refusing dialer, ${CONCURRENCY} calls at once, one call per lead), one campaign, no bare side.

| | |
|---|---|
| leads called | ${side.result.attempts.toLocaleString()} of ${side.result.listed.toLocaleString()} listed |
| time after the list pull | ${seconds(side.ms)} (${side.leadsPerSec.toFixed(1)} leads/s) |
| workflow runs (continue-as-new) | ${st.runs.toLocaleString()} |
| longest run's history | **${st.maxHistory.toLocaleString()} events** (hand-over at ${HISTORY_LIMIT.toLocaleString()}) |
| bench process (worker) max RSS, by quarter of the run | ${quarters.map((q) => `${mb(q.rss)} MB`).join(' · ')} |
| its max JS heap, by quarter | ${quarters.map((q) => `${mb(q.heap)} MB`).join(' · ')} |

The worker holds at most one run of the campaign in its cache (its state: the counters and the
calls in flight, never the list), so its memory does not grow with the list. The last quarter
includes the bench reading every run's history back after the campaign ended, in the same process.
`);
}
