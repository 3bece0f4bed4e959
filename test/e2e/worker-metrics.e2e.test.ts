import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../scripts/stack/paths';
import { configEnv, startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { parseExposition, sampleValue } from '../support/prometheus';
import { serveWorkerMetrics } from '../../workers/metrics';

// The worker as production runs it (workers/main.ts in its own process, the runtime installed with
// the SDK's metrics), on a task queue of its own, scraped at its one /metrics endpoint.

let h: Harness;
let worker: ChildProcess | undefined;
let output = '';
const taskQueue = uniqueId('worker-metrics');

beforeAll(async () => { h = await startHarness(); });
afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await h?.close();
});

describe('the worker\'s GET /metrics', () => {
  it('serves its own metrics and the Temporal SDK\'s in one Prometheus text, and stops on SIGTERM with a scraper connected', async () => {
    // node itself (not the tsx wrapper), so the signal reaches the process that does the work
    worker = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env, ...configEnv(h.config),
        TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: inject('workflowBundlePath'), LOG_LEVEL: 'warn',
        WORKER_METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => worker!.once('exit', (code, signal) => resolve({ code, signal })));
    worker.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    worker.stderr!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-50_000); });
    const url = await waitUntil('the worker to say where its metrics are', async () => /worker metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output)?.[1]);
    await waitUntil(`the worker to poll:\n${output}`, async () => /worker polling task queue/.test(output));

    // one workflow with one activity through this worker (a bulk retry that matches no held order)
    const result = await h.client.workflow.execute('deliveryRetryJobWorkflow', {
      taskQueue, workflowId: uniqueId('worker-metrics-job'),
      args: [{ jobId: uniqueId('job'), filter: { campaignId: uniqueId('no-such-campaign') }, limit: 10, requestHash: 'metrics' }],
    });
    expect(result).toMatchObject({ status: 'completed', total: 0 });

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    // one text: every family declared once, every line the format (the parser throws otherwise)
    const e = parseExposition(await res.text());
    for (const [name, type] of Object.entries({
      // the SDK's (Runtime.install's Prometheus exporter), in milliseconds
      temporal_workflow_task_schedule_to_start_latency: 'histogram',
      temporal_activity_schedule_to_start_latency: 'histogram',
      temporal_workflow_task_execution_latency: 'histogram',
      temporal_worker_task_slots_available: 'gauge',
      temporal_sticky_cache_size: 'gauge',
      temporal_num_pollers: 'gauge',
      temporal_workflow_completed: 'counter',
      temporal_request: 'counter',
      // the application's and Node's
      telemarketing_campaign_calls_total: 'counter',
      telemarketing_telemetry_scrape_errors_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
    })) expect(e.types.get(name), name).toBe(type);
    expect(sampleValue(e, 'temporal_workflow_completed', { task_queue: taskQueue, workflow_type: 'deliveryRetryJobWorkflow' })).toBe(1);
    expect(sampleValue(e, 'temporal_worker_task_slots_available', { task_queue: taskQueue, worker_type: 'WorkflowWorker' })).toBeGreaterThan(0);
    expect(sampleValue(e, 'temporal_workflow_task_schedule_to_start_latency_count', { task_queue: taskQueue })).toBeGreaterThan(0);
    expect(sampleValue(e, 'telemarketing_telemetry_scrape_errors_total', { source: 'temporal-sdk' })).toBe(0);

    // the endpoint serves /metrics only
    expect((await fetch(url.replace(/\/metrics$/, '/'))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);

    // fetch keeps its connection to the endpoint open; the worker stops all the same
    worker.kill('SIGTERM');
    const { code, signal } = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the worker did not stop:\n${output}`)), 30_000))]);
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
  });

  it('answers with its own metrics when the SDK\'s exporter does not, and counts the scrape error', async () => {
    // an exporter that never answers: a socket that accepts and says nothing
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sdkMetricsUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/metrics`;
    const { server, url } = await serveWorkerMetrics({ host: '127.0.0.1', port: 0, sdkMetricsUrl });
    try {
      const t0 = Date.now();
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(5_000);
      const e = parseExposition(await res.text());
      expect([...e.types.keys()].filter((n) => n.startsWith('temporal_'))).toEqual([]);
      expect(sampleValue(e, 'telemarketing_telemetry_scrape_errors_total', { source: 'temporal-sdk' })).toBe(1);
      expect(sampleValue(e, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    } finally {
      server.closeAllConnections();
      server.close();
      silent.close();
    }
  });
});
