import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps';

const Check = z.object({ ok: z.boolean(), error: z.string().optional() });
const Health = z.object({ ok: z.boolean(), postgres: Check, temporal: Check });

async function check(probe: () => Promise<unknown>): Promise<z.infer<typeof Check>> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3s')), 3000).unref())]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export const healthRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/health', {
    config: { public: true },
    schema: { tags: ['ops'], summary: 'Are Postgres and Temporal reachable?', response: { 200: Health, 503: Health } },
  }, async (_request, reply) => {
    const [postgres, temporal] = await Promise.all([
      check(() => deps.db.query('SELECT 1')),
      check(() => deps.client.workflowService.getSystemInfo({})),
    ]);
    const ok = postgres.ok && temporal.ok;
    return reply.status(ok ? 200 : 503).send({ ok, postgres, temporal });
  });
};
