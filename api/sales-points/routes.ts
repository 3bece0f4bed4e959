import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { salesRecordingRoutes } from './recording-routes';
import { disputeRoutes } from './disputes';
import { salesPointsSettingsRoutes } from './settings';
import { salesPointsBudgetRoutes } from './budgets';
import { statementRoutes } from './statements';
import { payoutRoutes } from './payout';
import { contestRoutes } from './contests';
import { billingImportRoutes } from './billing-imports';
import { salesPointsRunRoutes } from './runs';
import { budgetUsageRoutes } from './budget-usage';

/**
 * Every route of sales points (docs/sales-points.md), each plugin in a scope of its own (the
 * recording routes take small CSV files as a string, the billing import streams its file).
 */
export const salesPointsRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  await app.register(salesRecordingRoutes(deps));
  await app.register(disputeRoutes(deps));
  await app.register(salesPointsSettingsRoutes(deps));
  await app.register(salesPointsBudgetRoutes(deps));
  await app.register(statementRoutes(deps));
  await app.register(payoutRoutes(deps));
  await app.register(contestRoutes(deps));
  await app.register(billingImportRoutes(deps));
  await app.register(salesPointsRunRoutes(deps));
  await app.register(budgetUsageRoutes(deps));
};
