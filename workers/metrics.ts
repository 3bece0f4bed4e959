import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Runtime } from '@temporalio/worker';
import { METRICS_CONTENT_TYPE, metricsText, telemetryScrapeErrors } from '../infra/metrics';

/** How long a scrape waits for the SDK's own exporter before answering without its metrics. */
const SDK_SCRAPE_TIMEOUT_MS = 2_000;

/** A port on the loopback that nothing listens on now (the kernel's pick). */
async function freeLoopbackPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Installs the Temporal runtime of this process with the SDK's metrics (`temporal_*`: task slots,
 * schedule-to-start latencies, the sticky cache, polls, failures; docs/operations.md) exported in
 * the Prometheus format on a loopback port of its own, which only this process reads: the worker's
 * endpoint serves them with the application's (serveWorkerMetrics). Histograms are in milliseconds,
 * the SDK's default, as Temporal's SDK dashboards expect.
 *
 * Once per process, before any NativeConnection or Worker is made (the runtime is a singleton that
 * the first of them creates with no metrics). Only workers/main.ts calls it: the test harness runs
 * workers in its own process with a runtime of its own.
 */
export async function installRuntimeWithMetrics(): Promise<{ sdkMetricsUrl: string }> {
  const port = await freeLoopbackPort();
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } });
  return { sdkMetricsUrl: `http://127.0.0.1:${port}/metrics` };
}

/** The SDK's metrics text, or undefined (counted as a scrape error) when its exporter does not answer in time. */
async function sdkMetrics(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`the SDK's exporter answered ${res.status}`);
    return await res.text();
  } catch {
    telemetryScrapeErrors.inc({ source: 'temporal-sdk' });
    return undefined;
  }
}

/**
 * The worker's one metrics endpoint, GET /metrics (and nothing else): the application's registry
 * (Node's metrics, the calls settled, the scrape errors) followed by the Temporal SDK's, read from
 * its exporter at each scrape. Two metric families never share a name: ours are `telemarketing_*`,
 * `process_*` and `nodejs_*`, the SDK's `temporal_*`. No token: it listens on WORKER_METRICS_HOST,
 * the loopback unless set, and in a deployment on the private network only (docker-compose.yml
 * publishes no port of the worker). Resolves once listening, with the address.
 */
export async function serveWorkerMetrics(opts: { host: string; port: number; sdkMetricsUrl: string }): Promise<{ server: http.Server; url: string }> {
  telemetryScrapeErrors.inc({ source: 'temporal-sdk' }, 0);
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8', ...(path === '/metrics' ? { allow: 'GET, HEAD' } : {}) });
      response.end(path === '/metrics' ? 'GET only\n' : 'not found: the worker serves /metrics only\n');
      return;
    }
    void (async () => {
      // The SDK's first, so a failure to read it is in the counter this very scrape shows.
      const sdk = await sdkMetrics(opts.sdkMetricsUrl);
      const own = await metricsText();
      const body = sdk ? `${own.endsWith('\n') ? own : `${own}\n`}${sdk}` : own;
      response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
      response.end(request.method === 'HEAD' ? undefined : body);
    })().catch((err: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`metrics: ${(err as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
  server.unref(); // the worker's run decides when the process ends, not a scraper's connection
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { server, url: `http://${host}:${port}/metrics` };
}
