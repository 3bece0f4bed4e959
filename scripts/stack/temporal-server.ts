import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { temporalCli } from './binaries';
import type { Supervisor } from './supervisor';
import { waitFor } from './supervisor';

export async function temporalReachable(address: string): Promise<boolean> {
  try {
    const conn = await Connection.connect({ address, connectTimeout: 1500 });
    try {
      await conn.workflowService.getSystemInfo({});
      return true;
    } finally {
      await conn.close();
    }
  } catch {
    return false;
  }
}

/**
 * `temporal server start-dev` with our search attributes registered. With dbFile the server keeps
 * its state across restarts; without, it is in memory (tests).
 */
export async function startTemporalDev(
  sup: Supervisor,
  opts: { port: number; uiPort?: number; dbFile?: string; name?: string; codecEndpoint?: string },
): Promise<string> {
  const address = `127.0.0.1:${opts.port}`;
  if (await temporalReachable(address)) {
    throw new Error(`a Temporal server already answers on ${address}; stop it, or set TEMPORAL_ADDRESS=${address} to use it`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  // Restarted after a crash only with a db file: an in-memory server comes back empty, which the
  // workers and tests using it would not survive anyway.
  sup.spawn(opts.name ?? 'temporal', temporalCli(), args, {}, { restart: Boolean(opts.dbFile) });
  await sup.watch(waitFor(`Temporal on ${address}`, () => temporalReachable(address)));
  // A server started on an older state file keeps that file's attributes: add what is new since.
  if (opts.dbFile) await ensureSearchAttributes(address, 'default');
  return address;
}

/** The proto's IndexedValueType numbers for the types we use. */
const INDEXED_VALUE_TYPE = { Keyword: 2, Int: 3, Bool: 5 } as const;

/**
 * Registers the search attributes the workflows set that the server does not know yet (an upgrade
 * adds some; a workflow setting an unknown one fails every workflow task until it exists).
 */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const conn = await Connection.connect({ address });
  try {
    const { customAttributes } = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(customAttributes && name in customAttributes));
    if (missing.length) {
      await conn.operatorService.addSearchAttributes({
        namespace, searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]])),
      });
    }
    return missing.map(([name]) => name);
  } finally {
    await conn.close();
  }
}
