import Fastify from 'fastify';
import { createPool } from '../infra/db';
import { runMain } from '../infra/process';

/**
 * The baseline of `npm run bench -- recommendations`: a bare Fastify route in a process of the
 * same kind as the API's (tsx, a pool as the API's), answering the same path with one indexed
 * query for the interaction's customer. No auth, no validation, no decision: what any route that
 * reads a customer costs at least.
 */
const SQL = `SELECT i.id, i.reason, c.id AS customer_id, c.msisdn, c.region, c.city, c.plan, c.services
  FROM hotline_interactions i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1`;

await runMain('bench-bare', async () => {
  const db = createPool(process.env.DATABASE_URL!); // the API's pool size (api/main.ts)
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/interactions/:id/recommendations', async (request, reply) => {
    const { rows } = await db.query({ name: 'bare-customer', text: SQL, values: [Number(request.params.id)] });
    return rows[0] ?? reply.status(404).send({ error: 'not-found' });
  });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_BARE_PORT) });
  const stop = async () => {
    await app.close();
    await db.end();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
