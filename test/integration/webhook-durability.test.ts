import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../infra/config';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { createPool, migrate, type Db } from '../../infra/db';
import { connectClient } from '../../infra/temporal';
import { ensureDatabase, startPostgresCluster, stopPostgresCluster, type PostgresHandle } from '../../scripts/stack/postgres';
import { uniqueId } from '../support/harness';
import { signedWebhook } from '../support/webhooks';
import { newWebhookSecret } from '../../infra/webhook-secrets';

/** A port nobody listens on now (the kernel's pick), for a cluster of our own. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A 200 to the dialer tells it to forget the outcome: it never sends it again. So what we answered
 * must survive a crash of Postgres. This test crashes a Postgres cluster of its own (started as
 * the stack starts one; the suite's shared server serves other tests meanwhile) right after a
 * burst of acknowledged webhooks, and looks for every acknowledged outcome after recovery.
 */
describe('an acknowledged dialer webhook survives a Postgres crash', () => {
  const BURST = 400;
  let dir: string;
  let port: number;
  let cluster: PostgresHandle;
  let databaseUrl: string;
  let db: Db;
  let client: Client;
  let app: FastifyInstance;
  const dialerSecret = newWebhookSecret();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'telemarketing-durability-'));
    port = await freePort();
    cluster = await startPostgresCluster(dir, port);
    databaseUrl = await ensureDatabase(cluster.serverUrl, 'durability');
    db = createPool(databaseUrl, 20);
    await migrate(db);
    client = await connectClient({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: 'default', TEMPORAL_PAYLOAD_KEYS: inject('payloadKeys') });
    app = await buildApp({ db, client, config: loadConfig({
      TEMPORAL_TASK_QUEUE: 'unused', TEMPORAL_UI_URL: 'http://127.0.0.1:1', AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      DIALER_WEBHOOK_SECRETS: dialerSecret, COURIER_WEBHOOK_SECRETS: newWebhookSecret(), TEMPORAL_PAYLOAD_KEYS: inject('payloadKeys'),
    }) });
  });
  afterAll(async () => {
    await app?.close();
    await client?.connection.close();
    await db?.end().catch(() => {});
    if (cluster) stopPostgresCluster(cluster.dataDir);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every outcome answered 200 after an immediate stop and a restart', async () => {
    // Calls of a campaign that has ended (no workflow to signal): the webhook records the outcome and answers 200.
    const campaignId = uniqueId('durable');
    const callIds = Array.from({ length: BURST }, (_, i) => `${campaignId}-call-${i}`);
    await db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, attempt_no)
       SELECT id, 'sales', $1, n, 1 FROM unnest($2::text[]) WITH ORDINALITY AS c(id, n)`,
      [campaignId, callIds],
    );
    // The calls themselves are on disk before the burst: only the webhooks' own writes are at stake.
    await db.query('CHECKPOINT');

    const endedAt = new Date().toISOString();
    const replies = await Promise.all(callIds.map((callId, i) => app.inject(signedWebhook(dialerSecret, '/webhooks/dialer',
      { callId, disposition: i % 2 ? 'accepted' : 'refused', connected: true, durationSec: 30 + (i % 60), endedAt }))));
    const acknowledged = callIds.filter((_, i) => replies[i]!.statusCode === 200);
    // Crash at once: nothing gets the chance to flush what was answered.
    stopPostgresCluster(cluster.dataDir, 'immediate');
    expect(acknowledged).toHaveLength(BURST);

    await db.end();
    await startPostgresCluster(dir, port);
    db = createPool(databaseUrl, 4);
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM call_attempts WHERE campaign_id = $1 AND disposition IS NOT NULL', [campaignId]);
    const kept = new Set(rows.map((r) => r.id));
    const lost = acknowledged.filter((id) => !kept.has(id));
    expect(lost, `${lost.length} of ${acknowledged.length} acknowledged outcomes were lost`).toEqual([]);
  });
});
