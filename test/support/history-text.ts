import { inject } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../infra/privacy/payload-codec';
import { payloadKeys } from '../../infra/privacy/payload-keys';
import type { Harness } from './harness';

const text = new TextDecoder();

/** Every payload of a history (as stored: encrypted or not) and every plain string outside them, with where it sits. */
function walk(node: unknown, path: string[], payloads: { payload: Payload; path: string }[], strings: string[]): void {
  if (typeof node === 'string') { strings.push(node); return; }
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) {
    payloads.push({ payload: o as Payload, path: path.join('.') });
    return;
  }
  for (const [k, v] of Object.entries(o)) walk(v, [...path, k], payloads, strings);
}

/**
 * A run's history as one text, its payloads decrypted: what someone holding the keys could read in
 * it. `inClear` lists the payloads that were not encrypted, with where they sit; by design only
 * search attributes (the server indexes them) and patch markers (the SDK's own) are.
 */
export async function historyText(h: Harness, workflowId: string, runId?: string): Promise<{ text: string; inClear: string[]; payloads: number }> {
  const codec = new AesGcmPayloadCodec(payloadKeys(inject('payloadKeys')));
  const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const payloads: { payload: Payload; path: string }[] = [];
  const strings: string[] = [];
  walk(history, [], payloads, strings);
  const readable = [...strings];
  const inClear: string[] = [];
  for (const { payload, path } of payloads) {
    if (text.decode(payload.metadata!.encoding!) !== ENCRYPTED_ENCODING) {
      inClear.push(path);
      readable.push(text.decode(payload.data ?? new Uint8Array()));
      continue;
    }
    const [plain] = await codec.decode([payload]);
    readable.push(text.decode(plain!.data ?? new Uint8Array()));
  }
  return { text: readable.join('\n'), inClear, payloads: payloads.length };
}

/** The search attributes and patch markers a history may hold in clear. */
export const IN_CLEAR_BY_DESIGN = /searchAttributes|markerRecordedEventAttributes\.details\.patch-data/;

/** A payload of a fetched history as the workflow saw it: decrypted, then converted. */
export async function payloadValue<T>(payload: Payload): Promise<T> {
  const [plain] = await new AesGcmPayloadCodec(payloadKeys(inject('payloadKeys'))).decode([payload]);
  return defaultPayloadConverter.fromPayload<T>(plain!);
}
