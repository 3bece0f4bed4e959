import type { FastifyServerOptions } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';

// Apart from api/app.ts, which imports every route file: the routes take these and would
// otherwise import app.ts back (an import cycle).
export interface AppDeps {
  db: Db;
  client: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE' | 'API_FAULT' | 'DIALER_WEBHOOK_SECRETS' | 'COURIER_WEBHOOK_SECRETS'
    | 'AUTH_JWT_SECRET' | 'AUTH_JWT_PUBLIC_KEY' | 'AUTH_JWKS_ISSUER' | 'AUTH_JWT_AUDIENCE' | 'API_RATE_LIMIT_PER_MINUTE' | 'API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE' | 'MAX_LEADS_PER_ROLE'
    | 'TEMPORAL_PAYLOAD_KEYS' | 'OPERATOR_TIME_ZONE' | 'ALERT_WEBHOOK_ALLOW_PRIVATE' | 'ALERT_WEBHOOK_ALLOWED_NETWORKS'>;
  /** The request log: how a request is shown (api/access/session-cookie.ts hides a token in the query). */
  logger?: FastifyServerOptions['logger'];
}
