import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { httpRequestDuration, METRICS_CONTENT_TYPE, metricsText, stateGauges } from '../infra/metrics';
import type { AppDeps } from './deps';

/**
 * Times every request the API answers into `telemarketing_http_request_duration_seconds`, labelled
 * by the route's pattern (never the path itself: ids would make a series each), so refused and
 * failed requests (401, 429, 5xx) show up as well as the routes' own answers.
 */
export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/**
 * GET /metrics for Prometheus: the API's own metrics, Node's, and the gauges read from Postgres at
 * the scrape (open orders, held deliveries). An ops token, as for every read of operations data;
 * Prometheus sends it with `authorization.credentials_file` (infra/prometheus/prometheus.yml,
 * docs/operations.md). A Postgres that is slow or down costs the scrape those gauges, not its answer.
 */
export const metricsRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const refreshState = stateGauges(deps.db);

  app.get('/metrics', {
    config: { roles: ['ops'] },
    schema: {
      tags: ['ops'],
      summary: 'Metrics in the Prometheus text format, for Prometheus to scrape (docs/operations.md lists them)',
      response: {
        200: {
          description: 'The Prometheus text exposition format, version 0.0.4',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    },
  }, async (request, reply) => {
    const failed = await refreshState();
    if (failed) request.log.warn({ err: failed }, 'metrics: the gauges read from Postgres are left out of this scrape');
    return reply.type(METRICS_CONTENT_TYPE).send(await metricsText());
  });
};
