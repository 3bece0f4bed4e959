import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';

// Apart from api/app.ts, which imports every route file: the routes take these and would
// otherwise import app.ts back (an import cycle).
export interface AppDeps {
  db: Db;
  client: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE' | 'API_FAULT' | 'DIALER_WEBHOOK_SECRETS' | 'COURIER_WEBHOOK_SECRETS'>;
  logger?: boolean | { level: string };
}
