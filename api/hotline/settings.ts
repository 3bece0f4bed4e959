import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { BrandSchema, SettingsBodySchema } from '../../domain/hotline/schemas';
import { text } from '../../domain/text';
import { changeSettings, putBrand, readBrands, readSettings } from '../../db/hotline/settings-sql';
import type { CatalogueCache } from '../../db/hotline/catalogue-sql';
import type { AppDeps } from '../deps';

const Settings = z.object({
  refusalQuietDays: z.number().describe('N: an offer the customer refused is not offered again for this many days'),
  weeklyCap: z.number().describe('M: at most this many recommendations per customer in any 7 days, over every channel'),
  maxOffers: z.number().describe('up to this many offers per interaction (1 to 3)'),
  priorRate: z.number().describe('the acceptance rate a new offer starts at'),
  priorWeight: z.number().describe('how many presentations the prior weighs as: the larger, the slower the counts take over'),
  referralWindowSeconds: z.number().describe("how long a referral waits for the customer's order in its channel (a referral made from then on)"),
  updatedBy: z.string(), updatedAt: z.string(),
});
const Brand = z.object({ code: z.string(), name: z.string(), plans: z.array(z.string()).describe("the plans whose customers are of the brand") });

/** Marketing's settings of the decisioning (docs/hotline.md#settings) and the brands scripts are written for. */
export const hotlineSettingsRoutes = (deps: AppDeps, catalogue: CatalogueCache): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;

  app.get('/hotline/settings', {
    config: { roles: ['marketing'] },
    schema: { tags: ['hotline'], summary: 'The contact policy, the propensities\' prior and the referral window', response: { 200: Settings } },
  }, async () => readSettings(db));

  app.put('/hotline/settings', {
    config: { roles: ['marketing'] },
    schema: { tags: ['hotline'], summary: 'Change some of the settings (the fields given)', body: SettingsBodySchema, response: { 200: Settings } },
  }, async (request) => {
    const settings = await changeSettings(db, request.body, actorText(request.actor!));
    catalogue.invalidate();
    return settings;
  });

  app.get('/hotline/brands', {
    config: { roles: ['marketing'] },
    schema: { tags: ['hotline'], summary: 'The brands and the plans of each (a customer\'s brand follows from their plan)', response: { 200: z.object({ brands: z.array(Brand) }) } },
  }, async () => ({ brands: await readBrands(db) }));

  app.put('/hotline/brands/:code', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['hotline'], summary: 'Put a brand and the plans it covers (a plan named moves to it from another brand)',
      params: z.strictObject({ code: BrandSchema }),
      body: z.strictObject({ name: text(1, 200), plans: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a plan code')).max(100).default([]) }),
      response: { 200: Brand },
    },
  }, async (request) => {
    const brand = await putBrand(db, request.params.code, request.body.name, request.body.plans);
    catalogue.invalidate();
    return brand;
  });
};
