/**
 * The process's metrics (Prometheus): the registry, every metric's definition, the report timer and
 * the gauges read from Postgres. The API serves them at GET /metrics (api/metrics.ts), the worker
 * at its own /metrics with the Temporal SDK's (workers/metrics.ts); docs/operations.md lists them.
 */
export { registry, metricsText, METRICS_CONTENT_TYPE } from './registry';
export * from './definitions';
export { observeReport, type ReportFormat } from './reports';
export { stateGauges } from './state';
