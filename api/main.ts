import { loadConfig } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { connectClient } from '../infra/temporal';
import { runMain } from '../infra/process';
import { buildApp } from './app';
import { loggedRequest } from './access/session-cookie';

await runMain('api', async () => {
  const config = loadConfig();
  const db = createPool(config.DATABASE_URL);
  await migrate(db);
  const client = await connectClient(config);
  const app = await buildApp({ db, client, config, logger: { level: config.LOG_LEVEL, serializers: { req: loggedRequest } } });
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  const stop = async () => {
    await app.close();
    await client.connection.close();
    await db.end();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
