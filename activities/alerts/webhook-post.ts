import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { addressRefusal, webhookUrlRefusal, type WebhookAddressPolicy } from '../../domain/alerts/webhook-address';

/** The address is one alerts must not be posted to (domain/alerts/webhook-address.ts): another attempt will not change that. */
export class AddressRefused extends Error {
  override name = 'AddressRefused';
}

/** How a name is resolved: dns.lookup's shape, every address at once (a test hands its own). */
export type Resolve = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolve: Resolve = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/**
 * The lookup the connection makes: every address the name resolves to is checked, and the socket
 * connects to the ones checked, so a name that resolves outside when checked and inside when
 * connected (DNS rebinding) cannot slip between the two. One inside address refuses the name.
 */
export function checkedLookup(policy: WebhookAddressPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refusal = addresses.map((a) => addressRefusal(a.address, policy)).find(Boolean);
      if (refusal || !addresses.length) {
        const error = refusal ? new AddressRefused(`${hostname}: ${refusal}`) : Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        return callback(error, '', 0);
      }
      // Node asks for all of them when it tries IPv6 and IPv4 in turn (autoSelectFamily).
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: WebhookAddressPolicy;
  resolve?: Resolve;
}

/**
 * POSTs a webhook and answers the receiver's status once its answer is read. Throws AddressRefused
 * before any byte is sent when the URL or an address of its host is one the policy refuses; other
 * errors are the network's. A redirect is answered as its status, never followed: an outside
 * address must not turn the post into a request to an inside one.
 */
export async function postWebhook(url: string, post: WebhookPost): Promise<number> {
  const refusal = webhookUrlRefusal(url, post.policy);
  if (refusal) throw new AddressRefused(refusal);
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const req = client.request(target, {
      method: 'POST',
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      lookup: checkedLookup(post.policy, post.resolve),
      // A connection of its own each time, connected through the lookup above (alerts are few).
      agent: false,
      signal: AbortSignal.timeout(post.timeoutMs),
    }, (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.on('error', (err) => reject(err.name === 'AbortError' ? new Error(`no answer within ${post.timeoutMs} ms`) : err));
    req.end(post.body);
  });
}
