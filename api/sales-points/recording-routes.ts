import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { SALES_CSV_LIMIT } from './csv';
import { organisationRoutes } from './organisation';
import { staffRoutes } from './staff';
import { catalogueRoutes } from './catalogue';
import { salesRoutes } from './sales';
import { salesImportRoutes } from './sales-import';

/** Sales points' organisation, catalogue and recorded sales (docs/sales-points.md), the files they take as text/csv. */
export const salesRecordingRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: SALES_CSV_LIMIT }, (_request, body, done) => done(null, body));
  await app.register(organisationRoutes(deps));
  await app.register(staffRoutes(deps));
  await app.register(catalogueRoutes(deps));
  await app.register(salesRoutes(deps));
  await app.register(salesImportRoutes(deps));
};
