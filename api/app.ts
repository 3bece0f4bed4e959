import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps';
import { installErrorHandler } from './errors';
import { installAccess } from './access/auth';
import { installRateLimit } from './access/rate-limit';
import { auditRoutes, installAudit } from './access/audit';
import { campaignRoutes } from './campaign/campaigns';
import { campaignFailureRoutes } from './campaign/failures';
import { orderRoutes } from './order/orders';
import { dialerWebhookRoutes } from './campaign/dialer-webhook';
import { courierWebhookRoutes } from './order/courier-webhook';
import { inboundCallWebhookRoutes } from './hotline/dialer-webhook';
import { signedWebhooks } from './webhook-signatures';
import { healthRoutes } from './health';
import { segmentRoutes } from './campaign/segments';
import { agentRoutes } from './campaign/agents';
import { deliveryRoutes } from './dispatch/held-deliveries';
import { logisticsRoutes } from './logistics/logistics';
import { deliveryRetryRoutes } from './dispatch/retry-jobs';
import { documentAnswers } from './answers';
import { answerUnknownMethods } from './allowed-methods';
import { noNulInSchema, refuseNulBytes } from './nul-bytes';
import { documentSegmentRule } from './campaign/segment-rule-doc';
import { codecServerRoutes } from './privacy/codec-server';
import { erasureRoutes } from './privacy/erasure';
import { documentContentBodies, documentHtmlAnswers } from './content-bodies';
import { dncRoutes } from './compliance/dnc';
import { settingsVersionRoutes } from './campaign/settings-versions';
import { suppressionListRoutes } from './compliance/suppression-lists';
import { reportRoutes } from './reports/funnel';
import { roiRoutes } from './reports/roi';
import { costRateRoutes } from './reports/cost-rates';
import { installRequestMetrics, metricsRoutes } from './metrics';
import { evaluationRoutes } from './reports/evaluation';
import { dashboardRoutes } from './dashboard/routes';
import { salesPointsReportRoutes } from './reports/sales-points';
import { hotlineReportRoutes } from './reports/hotline';
import { hotlineTargetRoutes } from './reports/hotline-targets';
import { salesPointsRoutes } from './sales-points/routes';
import { alertRoutes } from './alerts/alerts';
import { hotlineRoutes } from './hotline/routes';

/** The HTTP API: marketing steers campaigns, schedulers steer orders, the sims post webhooks. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // A request id of our own (a UUID, answered in x-request-id): the audit log keys on it. A long
  // path parameter is for its schema to refuse (400), not the router (414 by default past 100).
  const app = Fastify({
    logger: deps.logger ?? false, bodyLimit: 256 * 1024, genReqId: () => randomUUID(), routerOptions: { maxParamLength: 16_384 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installRequestMetrics(app);
  answerUnknownMethods(app);
  documentAnswers(app);
  documentSegmentRule();
  await app.register(swagger, {
    openapi: {
      info: { title: 'Telemarketing orchestration API', version: '0.1.0', description: 'Campaigns, orders and the webhooks of the dialer and the courier.' },
      tags: [
        { name: 'campaigns', description: 'marketing: launch, steer and watch campaigns' },
        { name: 'agents', description: 'teams, agents and preview dialing' },
        { name: 'orders', description: 'schedulers: orders and failed deliveries' },
        { name: 'logistics', description: 'stock per warehouse, goods received, couriers\' daily settlement' },
        { name: 'webhooks', description: 'outcomes posted by the dialer and the courier' },
        { name: 'reports', description: 'marketing and finance: the funnel, rates, cost and return on investment, grouped and filtered, as JSON or CSV; a campaign\'s evaluation against its control group' },
        { name: 'dashboard', description: 'a page for people (GET /dashboard answers HTML): running campaigns, calls and sales, agents, ROI, held deliveries, backorders; signed in with these tokens' },
        { name: 'sales-points', description: 'seed 002: staff and outlets, the service catalogue, sales recorded, billing\'s monthly list matched, points, disputes, budgets, statements, payouts, the leaderboard and contests' },
        { name: 'hotline', description: 'seed 003: inbound calls and self-service visits as interactions, their next best offers (eligibility, contact policy, propensity × value × lever), outcomes fed back; offers, levers, scripts per brand' },
        { name: 'compliance', description: 'the do-not-call register and campaigns\' suppression lists' },
        { name: 'ops', description: 'health, metrics for Prometheus, the audit log of who did what, and the codec server of the Temporal UI' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token with `sub` and `roles` claims (docs/security.md); each operation lists its roles in `x-roles`' },
          standardWebhooks: {
            type: 'apiKey', in: 'header', name: 'webhook-signature',
            description: 'Standard Webhooks (https://www.standardwebhooks.com): the sender also sends webhook-id and webhook-timestamp '
              + '(unix seconds, within 5 minutes of our clock); webhook-signature is `v1,` and the base64 HMAC-SHA256, keyed with the '
              + "sender's secret (whsec_…), of `<webhook-id>.<webhook-timestamp>.<raw body>`. See sim/README.md.",
          },
        },
      },
    },
    transform: (route) => {
      const documented = documentContentBodies(route, jsonSchemaTransform);
      for (const part of ['body', 'querystring', 'params', 'headers'] as const) noNulInSchema(documented.schema?.[part]);
      return documentHtmlAnswers(route, documented);
    },
    // Registered schemas as components (the recursive segment rule); their request side says no NUL too.
    transformObject: (document) => {
      const object = jsonSchemaTransformObject(document);
      for (const [name, schema] of Object.entries((object as { components?: { schemas?: object } }).components?.schemas ?? {})) if (name.endsWith('Input')) noNulInSchema(schema);
      return object;
    },
  });
  // The documentation is public; every route after this declares who may call it.
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await installAccess(app, deps.config, await installRateLimit(app, deps.config));
  installAudit(app, deps.db);
  refuseNulBytes(app);
  await app.register(campaignRoutes(deps));
  await app.register(campaignFailureRoutes(deps));
  await app.register(settingsVersionRoutes(deps));
  await app.register(segmentRoutes(deps));
  await app.register(agentRoutes(deps));
  await app.register(orderRoutes(deps));
  await app.register(deliveryRoutes(deps));
  await app.register(logisticsRoutes(deps));
  await app.register(deliveryRetryRoutes(deps));
  await app.register(dncRoutes(deps));
  await app.register(suppressionListRoutes(deps));
  await app.register(evaluationRoutes(deps));
  await app.register(signedWebhooks(
    { dialer: deps.config.DIALER_WEBHOOK_SECRETS, courier: deps.config.COURIER_WEBHOOK_SECRETS },
    [dialerWebhookRoutes(deps), courierWebhookRoutes(deps), inboundCallWebhookRoutes(deps)],
  ));
  await app.register(reportRoutes(deps));
  await app.register(roiRoutes(deps));
  await app.register(costRateRoutes(deps));
  await app.register(salesPointsReportRoutes(deps));
  await app.register(hotlineReportRoutes(deps));
  await app.register(hotlineTargetRoutes(deps));
  await app.register(dashboardRoutes(deps));
  await app.register(salesPointsRoutes(deps));
  await app.register(alertRoutes(deps));
  await app.register(hotlineRoutes(deps));
  await app.register(auditRoutes(deps));
  await app.register(codecServerRoutes(deps));
  await app.register(erasureRoutes(deps));
  await app.register(healthRoutes(deps));
  await app.register(metricsRoutes(deps));
  return app;
}
