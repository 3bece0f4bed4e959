import { z } from 'zod';
import { FactorSchema, MAX_RULE_DEPTH, MAX_RULE_FACTORS, RuleSchema } from '../../domain/campaign/segment';

/** The component the rule is documented as (fastify-type-provider-zod names a schema's request side `<id>Input`). */
const ID = 'SegmentRule';
const SELF = { $ref: `#/components/schemas/${ID}Input` };

/**
 * A segment rule in the OpenAPI document. The rule is read node by node (domain/campaign/segment.ts,
 * for errors at their own path), which zod cannot turn into a JSON schema: it showed as `{}`, so
 * anything, `null` included, looked valid. This states it as the recursive schema it is: a factor,
 * or `{ all: [rules] }`, `{ any: [rules] }`, `{ not: rule }`, as a component that refers to itself.
 */
export function documentSegmentRule(): void {
  if (z.globalRegistry.has(RuleSchema)) return;
  const { $schema: _, ...factor } = z.toJSONSchema(FactorSchema, { target: 'openapi-3.0', io: 'input' });
  const list = (key: 'all' | 'any') => ({
    type: 'object', additionalProperties: false, required: [key],
    properties: { [key]: { type: 'array', items: SELF, minItems: 1, maxItems: MAX_RULE_FACTORS } },
  });
  z.globalRegistry.add(RuleSchema, {
    id: ID,
    description: `A factor, or factors combined with all / any / not: at most ${MAX_RULE_DEPTH} levels deep and ${MAX_RULE_FACTORS} factors `
      + '(beyond those, 422: a rule the schema does not count).',
    anyOf: [factor, list('all'), list('any'), { type: 'object', additionalProperties: false, required: ['not'], properties: { not: SELF } }],
  });
}
