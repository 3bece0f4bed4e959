import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec';
import { payloadKeys } from './payload-keys';

/** The failure converter's file, given to the workflow bundle and every data converter. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/**
 * The one data converter of the system: clients, the worker, replays, tests and benches all take
 * it from here, given the TEMPORAL_PAYLOAD_KEYS text. Payloads are encrypted (AES-256-GCM, the key
 * id in their metadata), failure messages and stack traces encoded into a payload first.
 */
export function temporalDataConverter(keysText: string | undefined): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(payloadKeys(keysText))], failureConverterPath: FAILURE_CONVERTER_PATH };
}
