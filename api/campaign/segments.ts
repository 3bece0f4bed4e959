import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ContactCapSchema, OfferSchema, SegmentSchema } from '../../domain/campaign/campaign';
import { MAX_RULE_DEPTH, MAX_RULE_FACTORS, describeRule } from '../../domain/campaign/segment';
import { maskMsisdn } from '../../domain/compliance/masking';
import { inTransaction } from '../../infra/db';
import { PULL_WORK_MEM, SqlParams, eligible, onDnc, overContactCap, ownsOffer, segmentWhere, validNumber } from '../../db/campaign/segment-sql';
import type { AppDeps } from '../deps';
import { checkRegions } from './store';
import { rules } from '../errors';

const Preview = z.object({
  rule: z.string().nullable(),
  matching: z.number().int(),
  excluded: z.object({
    invalidNumber: z.number().int(),
    doNotCall: z.number().int(),
    ownsOffer: z.number().int(),
    /** Called up to the contact cap lately, by any campaign. */
    contactCap: z.number().int(),
    duplicateNumber: z.number().int(),
  }),
  /** How many leads a campaign with this segment would list now (maxLeads applied). */
  listed: z.number().int(),
  sample: z.array(z.object({ customerId: z.number(), msisdn: z.string(), region: z.string(), city: z.string(), plan: z.string() })),
});

/** Marketing tries a segment before launching: the count, what the exclusions remove, a masked sample. */
export const segmentRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.post('/segments/preview', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['campaigns'],
      summary: 'Count and sample a segment without creating anything',
      body: z.strictObject({ segment: SegmentSchema, offerCode: OfferSchema.shape.code.optional(), contactCap: ContactCapSchema.optional() }),
      response: { 200: Preview, ...rules('segment.regions: ones we serve', `segment.rule: at most ${MAX_RULE_DEPTH} levels deep, with at most ${MAX_RULE_FACTORS} factors`) },
    },
  }, async (request) => {
    const { segment, offerCode, contactCap } = request.body;
    await checkRegions(deps.db, segment.regions, 'body.segment.regions');
    const p = new SqlParams();
    const where = segmentWhere(segment, p);
    const owns = ownsOffer(p, offerCode);
    const capped = overContactCap(p, contactCap, 'c');
    return inTransaction(deps.db, async (tx) => {
      // read only: a preview cannot write anything, whatever the rule
      await tx.query('SET TRANSACTION READ ONLY');
      await tx.query("SET LOCAL statement_timeout = '60s'");
      await tx.query(`SET LOCAL work_mem = '${PULL_WORK_MEM}'`);
      const { rows: [n] } = await tx.query<Record<string, string>>(
        `WITH seg AS (
           SELECT c.msisdn, ${validNumber()} AS valid, ${onDnc()} AS dnc, ${owns} AS owns, ${capped} AS capped
             FROM customers c WHERE ${where})
         SELECT count(*) AS matching,
                count(*) FILTER (WHERE NOT valid) AS invalid,
                count(*) FILTER (WHERE valid AND dnc) AS dnc,
                count(*) FILTER (WHERE valid AND NOT dnc AND owns) AS owns,
                count(*) FILTER (WHERE valid AND NOT dnc AND NOT owns AND capped) AS capped,
                count(*) FILTER (WHERE valid AND NOT dnc AND NOT owns AND NOT capped) AS eligible,
                count(DISTINCT msisdn) FILTER (WHERE valid AND NOT dnc AND NOT owns AND NOT capped) AS numbers
           FROM seg`,
        p.values,
      );
      const sampleParams = new SqlParams();
      const { rows: sample } = await tx.query<{ id: string; msisdn: string; region: string; city: string; plan: string }>(
        `SELECT c.id, c.msisdn, c.region, c.city, c.plan FROM customers c
          WHERE ${eligible({ segment, offerCode, contactCap }, sampleParams)} ORDER BY c.id LIMIT 10`,
        sampleParams.values,
      );
      const numbers = Number(n!.numbers);
      return {
        rule: segment.rule ? describeRule(segment.rule) : null,
        matching: Number(n!.matching),
        excluded: {
          invalidNumber: Number(n!.invalid), doNotCall: Number(n!.dnc), ownsOffer: Number(n!.owns), contactCap: Number(n!.capped),
          duplicateNumber: Number(n!.eligible) - numbers,
        },
        listed: Math.min(numbers, segment.maxLeads ?? Number.MAX_SAFE_INTEGER),
        sample: sample.map((c) => ({ customerId: Number(c.id), msisdn: maskMsisdn(c.msisdn), region: c.region, city: c.city, plan: c.plan })),
      };
    });
  });
};
