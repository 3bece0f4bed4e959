import type { Script } from '../../domain/hotline/scripts';
import type { Queryable } from '../queryable';

/** What the preview route reads of a lead it hands out: its number, and the library's scripts to choose from. */
export interface PreviewLeadFacts {
  msisdn: string;
  /** The customer's brand (by their plan, `plan_brands`); null for a plan of none (a prospect's). */
  brand: string | null;
  /** The active versions of the offer's scripts for that brand and for every brand ('*'), when the library has the offer. */
  scripts: Script[];
}

/**
 * One read per lead handed out: the number, the customer's brand and the candidate scripts of the
 * campaign's offer (domain/hotline/scripts.ts chooses). As the hotline's catalogue, only an active
 * offer's scripts count (offers.active false: the library has no such offer).
 */
export async function readPreviewLead(db: Queryable, leadId: number, offerCode: string): Promise<PreviewLeadFacts | undefined> {
  const { rows: [r] } = await db.query<{ msisdn: string; brand: string | null; scripts: { brand: string; version: number; body: string }[] | null }>(
    `SELECT l.msisdn, pb.brand,
            (SELECT json_agg(json_build_object('brand', s.brand, 'version', s.version, 'body', s.body))
               FROM offer_scripts s JOIN offers o ON o.code = s.offer_code AND o.active
              WHERE s.offer_code = $2 AND s.active AND s.brand IN ('*', pb.brand)) AS scripts
       FROM leads l JOIN customers c ON c.id = l.customer_id LEFT JOIN plan_brands pb ON pb.plan = c.plan
      WHERE l.id = $1`,
    [leadId, offerCode]);
  if (!r) return undefined;
  return { msisdn: r.msisdn, brand: r.brand, scripts: (r.scripts ?? []).map((s) => ({ ...s, offerCode, active: true })) };
}
