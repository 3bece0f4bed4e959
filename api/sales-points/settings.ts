import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { webhookAddressPolicy, webhookUrlRefusal } from '../../domain/alerts/webhook-address';
import type { AppDeps } from '../deps';
import { rules, ruleBroken } from '../errors';

const Settings = z.object({
  complaintPoints: z.number().describe('What a complaint in the month deducts from the seller (0 or less; -2 by default)'),
  band: z.object({ low: z.number(), high: z.number() }).describe('The share of the monthly tariff a service\'s points should keep to; outside it a term needs a reason'),
  yuanPerPoint: z.number().describe('What a point pays, in yuan (snapshotted in each run: the payout uses the run\'s)'),
  clawbackMonths: z.number().describe('How many months after a closed month a cancelled sale is still clawed back'),
  usageWaitMonths: z.number().describe('How many months a sale awaiting usage can still earn once billing shows it used'),
  approvalEscalateAfterSeconds: z.number().describe('When a reconciled month nobody approved escalates'),
  alertWebhookUrl: z.string().nullable().describe('Where alerts are posted (https, on the public internet); none: the alerts table and GET /alerts only'),
  updatedBy: z.string(), updatedAt: z.string(),
});
const SettingsInput = z.strictObject({
  complaintPoints: z.number().min(-1000).max(0).multipleOf(0.01),
  band: z.strictObject({ low: z.number().min(0).max(9.9999).multipleOf(0.0001), high: z.number().min(0).max(9.9999).multipleOf(0.0001) }),
  yuanPerPoint: z.number().min(0.0001).max(100_000).multipleOf(0.0001),
  clawbackMonths: z.number().int().min(0).max(24),
  usageWaitMonths: z.number().int().min(0).max(24),
  approvalEscalateAfterSeconds: z.number().int().min(1).max(365 * 86_400),
  alertWebhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable(),
}).partial();

interface Row {
  complaint_points: string; band_low: string; band_high: string; yuan_per_point: string; clawback_months: number; usage_wait_months: number;
  approval_escalate_after_seconds: number; alert_webhook_url: string | null; updated_by: string; updated_at: Date;
}
const toSettings = (r: Row) => ({
  complaintPoints: Number(r.complaint_points), band: { low: Number(r.band_low), high: Number(r.band_high) }, yuanPerPoint: Number(r.yuan_per_point),
  clawbackMonths: r.clawback_months, usageWaitMonths: r.usage_wait_months, approvalEscalateAfterSeconds: r.approval_escalate_after_seconds,
  alertWebhookUrl: r.alert_webhook_url, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString(),
});

/** Finance's rules of the sales points: what a complaint costs, what a point pays, how long clawbacks and usage wait. */
export const salesPointsSettingsRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  // The worker checks every post again, against the addresses the name resolves to then.
  const alertAddresses = webhookAddressPolicy(deps.config.ALERT_WEBHOOK_ALLOW_PRIVATE, deps.config.ALERT_WEBHOOK_ALLOWED_NETWORKS);
  app.get('/sales-points/settings', {
    config: { roles: ['finance'] },
    schema: { tags: ['sales-points'], summary: 'The sales points\' settings', response: { 200: Settings } },
  }, async () => {
    const { rows: [r] } = await deps.db.query<Row>(`SELECT * FROM sales_points_settings`);
    return toSettings(r!);
  });

  app.put('/sales-points/settings', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Change some of the settings (the fields given); a month\'s run keeps the settings it ran with',
      body: SettingsInput,
      response: { 200: Settings, ...rules('band.low not above band.high', 'alertWebhookUrl https, not an inside address (loopback, private, link-local, …) nor localhost') },
    },
  }, async (request) => {
    const b = request.body;
    const refusal = b.alertWebhookUrl ? webhookUrlRefusal(b.alertWebhookUrl, alertAddresses) : undefined;
    if (refusal) throw ruleBroken('body.alertWebhookUrl', refusal);
    const { rows: [r] } = await deps.db.query<Row>(
      `UPDATE sales_points_settings SET
         complaint_points = coalesce($1, complaint_points), band_low = coalesce($2, band_low), band_high = coalesce($3, band_high),
         yuan_per_point = coalesce($4, yuan_per_point), clawback_months = coalesce($5, clawback_months), usage_wait_months = coalesce($6, usage_wait_months),
         approval_escalate_after_seconds = coalesce($7, approval_escalate_after_seconds),
         alert_webhook_url = CASE WHEN $8 THEN $9 ELSE alert_webhook_url END, updated_by = $10, updated_at = now()
       WHERE coalesce($2, band_low) <= coalesce($3, band_high)
       RETURNING *`,
      [b.complaintPoints ?? null, b.band?.low ?? null, b.band?.high ?? null, b.yuanPerPoint ?? null, b.clawbackMonths ?? null, b.usageWaitMonths ?? null,
        b.approvalEscalateAfterSeconds ?? null, b.alertWebhookUrl !== undefined, b.alertWebhookUrl ?? null, actorText(request.actor!)]);
    if (!r) throw ruleBroken('body.band.low', 'the band\'s low end is above its high end');
    return toSettings(r);
  });
};
