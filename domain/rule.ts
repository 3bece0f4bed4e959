/**
 * A check that is about more than the shape of one value: across fields (endAt after startAt),
 * against the clock (a slot from now to a year ahead), or anything else a JSON schema cannot say
 * (each sku once). A zod check raised with `rule(…)` is such a rule: the API answers a request
 * that breaks only rules 422, one that breaks its schema 400 (api/errors.ts), both with the field
 * paths. What a JSON schema can say (at least one field, either this or that) is said in the
 * schema instead, so the OpenAPI document tells the whole truth about a 400.
 */
export interface RuleParams {
  message: string;
  path?: PropertyKey[];
  params: { rule: true };
}

export const rule = (message: string, path?: PropertyKey[]): RuleParams => ({ message, ...(path ? { path } : {}), params: { rule: true } });

/** Whether a zod issue is a broken rule (raised with `rule(…)`). */
export const isRuleIssue = (issue: { code?: string; params?: unknown }): boolean =>
  issue.code === 'custom' && (issue.params as { rule?: unknown } | undefined)?.rule === true;
