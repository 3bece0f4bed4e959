import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { temporalDataConverter } from './privacy/data-converter';

export type TemporalConfig = Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_PAYLOAD_KEYS'>;

/** A client of the system's namespace whose payloads are encrypted (infra/privacy/). */
export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: temporalDataConverter(config.TEMPORAL_PAYLOAD_KEYS) });
}
