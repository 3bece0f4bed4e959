import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's one registry of metrics (the API's or the worker's): every metric of
 * ./definitions.ts is registered here, and so are Node's own (`process_*`, `nodejs_*`: CPU, memory,
 * heap, event loop lag, open handles), under their usual names so stock dashboards read them.
 * The worker's endpoint adds the Temporal SDK's metrics to this text (workers/metrics.ts).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** The Prometheus text exposition format (version 0.0.4) this registry writes. */
export const METRICS_CONTENT_TYPE = registry.contentType;

/** Everything the registry holds now, in the text format. */
export const metricsText = (): Promise<string> => registry.metrics();
