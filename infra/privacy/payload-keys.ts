import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The keys Temporal payloads are encrypted with (docs/security.md): `id=key` pairs separated by
 * commas or spaces, each key 32 random bytes in base64 or base64url. The first encrypts; all of
 * them decrypt, so a key can be rotated in: add the new one first, keep the old one for the
 * histories written with it (the key id travels in each payload's metadata).
 */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,40}$/;

/** The keys of a TEMPORAL_PAYLOAD_KEYS text, or why it will not do. */
export function parsePayloadKeys(text: string): PayloadKey[] | string {
  const items = text.split(/[\s,]+/).filter(Boolean);
  if (!items.length) return 'no key: give one as id=<32 bytes in base64>';
  const keys: PayloadKey[] = [];
  for (const [i, item] of items.entries()) {
    const eq = item.indexOf('=');
    const id = eq > 0 ? item.slice(0, eq) : '';
    if (!KEY_ID.test(id)) return `key ${i + 1}: write it as id=<key>, the id 1-40 letters, digits, '_', '.' or '-'`;
    const key = Buffer.from(item.slice(eq + 1).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== 32) return `key '${id}': 32 bytes (AES-256) in base64, got ${key.length}`;
    if (keys.some((k) => k.id === id)) return `key '${id}' given twice`;
    keys.push({ id, key });
  }
  return keys;
}

/** The config field: a TEMPORAL_PAYLOAD_KEYS text that parses (the value stays text, parsed where used). */
export const PayloadKeysText = z.string().superRefine((text, ctx) => {
  const keys = parsePayloadKeys(text);
  if (typeof keys === 'string') ctx.addIssue({ code: 'custom', message: keys });
});

/** A TEMPORAL_PAYLOAD_KEYS text known to parse (the config checked it). */
export function payloadKeys(text: string | undefined): PayloadKey[] {
  if (!text) {
    throw new Error('TEMPORAL_PAYLOAD_KEYS is not set: every process that talks to Temporal encrypts its payloads (docs/security.md); `npm run stack` makes a development key');
  }
  const keys = parsePayloadKeys(text);
  if (typeof keys === 'string') throw new Error(`TEMPORAL_PAYLOAD_KEYS: ${keys}`);
  return keys;
}

/** A fresh key as TEMPORAL_PAYLOAD_KEYS writes it (the stack's, a test run's, a bench's). */
export const newPayloadKey = (id: string): string => `${id}=${randomBytes(32).toString('base64')}`;
