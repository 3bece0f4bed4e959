import type { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { noNulInSchema } from './nul-bytes';

type Transform = typeof jsonSchemaTransform;
type Route = Parameters<Transform>[0];

/**
 * A body of several media types (`body: { content: { 'application/json': { schema }, 'text/csv':
 * { schema } } }`, which Fastify validates per content type) documented as such: the zod
 * transform knows one body schema only, so each media type's schema is turned to JSON Schema on
 * its own and the OpenAPI document lists them all under the request body.
 */
export function documentContentBodies(route: Route, transform: Transform): ReturnType<Transform> {
  const body = (route.schema as { body?: unknown } | undefined)?.body as { content?: Record<string, { schema: unknown }> } | undefined;
  if (!body?.content) return transform(route);
  const { body: _body, ...rest } = route.schema as Record<string, unknown>;
  const documented = transform({ ...route, schema: rest } as Route);
  const content = Object.fromEntries(Object.entries(body.content).map(([type, { schema }]) => {
    const json = (transform({ ...route, schema: { body: schema } } as Route).schema as { body?: unknown }).body;
    noNulInSchema(json);
    return [type, { schema: json }];
  }));
  return { ...documented, schema: { ...(documented.schema as object), body: { content } } } as ReturnType<Transform>;
}

/**
 * A page's answers documented as what they are: the statuses a route names in `config.htmlAnswers`
 * answer text/html (the dashboard: its page, and its sign-in form on 401 and 403), and
 * `config.redirects` a 303 with a Location and no body. The zod transform can only say JSON.
 */
export function documentHtmlAnswers(route: Route, documented: ReturnType<Transform>): ReturnType<Transform> {
  const config = (route as { route?: { config?: { htmlAnswers?: Record<number, string>; csvAnswers?: Record<number, string>; redirects?: string } } }).route?.config;
  if (!config?.htmlAnswers && !config?.csvAnswers && !config?.redirects) return documented;
  const response = { ...((documented.schema as { response?: Record<string, unknown> }).response ?? {}) };
  for (const [status, description] of Object.entries(config.htmlAnswers ?? {})) {
    response[status] = { description, content: { 'text/html': { schema: { type: 'string' } } } };
  }
  // a file (a payout's CSV): `config.csvAnswers`, the same way
  for (const [status, description] of Object.entries(config.csvAnswers ?? {})) {
    response[status] = { description, content: { 'text/csv': { schema: { type: 'string' } } } };
  }
  // type null: @fastify/swagger documents the answer without a body
  if (config.redirects) response['303'] = { type: 'null', description: config.redirects };
  return { ...documented, schema: { ...(documented.schema as object), response } } as ReturnType<Transform>;
}
