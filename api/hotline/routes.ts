import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CatalogueCache } from '../../db/hotline/catalogue-sql';
import type { AppDeps } from '../deps';
import { interactionRoutes } from './interactions';
import { offerRoutes } from './offers';
import { hotlineSettingsRoutes } from './settings';

/**
 * Every route of hotline marketing (docs/hotline.md), sharing this process's catalogue in memory:
 * the routes that change it forget it at once, and a change by another process is seen at the
 * next recommendation (its query reads the catalogue's version).
 */
export const hotlineRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const catalogue = new CatalogueCache();
  await app.register(interactionRoutes(deps, catalogue));
  await app.register(offerRoutes(deps, catalogue));
  await app.register(hotlineSettingsRoutes(deps, catalogue));
};
