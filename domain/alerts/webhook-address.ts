import { BlockList, isIP } from 'node:net';

/**
 * Where alerts may be posted (finance sets the address: PUT /sales-points/settings). The worker
 * posts from inside the operator's network, so an address of its own (the cloud's metadata service
 * at 169.254.169.254, a database on 10.x, the loopback) would turn an alert into a request to a
 * system nobody meant to expose: a receiver must be an https address on the public internet, as a
 * SaaS webhook sender requires. Checked when finance sets it and again on every post, against each
 * address the name resolves to (activities/alerts/webhook-post.ts connects to the one checked).
 */
export interface WebhookAddressPolicy {
  /**
   * ALERT_WEBHOOK_ALLOW_PRIVATE: http and any address, the inside ones too; for the tests' and the
   * local stack's receivers on the loopback, never a deployment.
   */
  allowPrivate: boolean;
  /**
   * ALERT_WEBHOOK_ALLOWED_NETWORKS: inside networks a receiver may be in nonetheless (an own chat
   * gateway on 10.20.0.0/16, say), as `address/prefix`; https still.
   */
  allowedNetworks: readonly Network[];
}

export interface Network { address: string; prefix: number; family: 'ipv4' | 'ipv6' }

export const STRICT: WebhookAddressPolicy = { allowPrivate: false, allowedNetworks: [] };

/**
 * The ranges no receiver is in (IANA's special-purpose registries, RFC 6890 and its updates),
 * by what they are. An IPv4 address written as IPv6 (::ffff:127.0.0.1) is held against the IPv4
 * ones (BlockList does so); the IPv6 ranges that carry an IPv4 address inside (6to4, NAT64,
 * Teredo) are refused whole, since the one inside may be any.
 */
const RANGES: readonly (readonly [what: string, cidrs: readonly string[]])[] = [
  ['a loopback address', ['127.0.0.0/8', '::1/128']],
  ['a private address', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']],
  ['a link-local address (the cloud\'s metadata service is one)', ['169.254.0.0/16', 'fe80::/10']],
  ['a multicast address', ['224.0.0.0/4', 'ff00::/8']],
  ['the carrier-grade NAT\'s shared space', ['100.64.0.0/10']],
  ['an unspecified address', ['0.0.0.0/8', '::/128']],
  ['a reserved address', [
    '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4',
    '::/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16', 'fec0::/10',
  ]],
];

/** `address/prefix`, an IPv4 or IPv6 network; a string saying what is wrong otherwise. */
export function parseNetwork(text: string): Network | string {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const version = isIP(address);
  if (!version || prefixText === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefixText)) return `${text}: not address/prefix (10.20.0.0/16, fd00:1::/64)`;
  const prefix = Number(prefixText);
  if (prefix > (version === 4 ? 32 : 128)) return `${text}: the prefix is at most ${version === 4 ? 32 : 128}`;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Networks separated by commas or spaces (ALERT_WEBHOOK_ALLOWED_NETWORKS); the first fault otherwise. */
export function parseNetworks(text: string): Network[] | string {
  const networks: Network[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const n = parseNetwork(part);
    if (typeof n === 'string') return n;
    networks.push(n);
  }
  return networks;
}

/** The policy of the worker's and the API's settings (ALERT_WEBHOOK_ALLOW_PRIVATE, ALERT_WEBHOOK_ALLOWED_NETWORKS, checked at start). */
export function webhookAddressPolicy(allowPrivate: boolean, networks: readonly string[]): WebhookAddressPolicy {
  const parsed = parseNetworks(networks.join(' '));
  if (typeof parsed === 'string') throw new Error(`ALERT_WEBHOOK_ALLOWED_NETWORKS: ${parsed}`);
  return { allowPrivate, allowedNetworks: parsed };
}

const listOf = (networks: readonly Network[]): BlockList => {
  const list = new BlockList();
  for (const n of networks) list.addSubnet(n.address, n.prefix, n.family);
  return list;
};

const REFUSED = RANGES.map(([what, cidrs]) => [what, listOf(cidrs.map((c) => parseNetwork(c) as Network))] as const);

/**
 * Why a post must not go to this IP address (`127.0.0.1 is a loopback address`), or undefined when
 * it may: any public address, any address at all with allowPrivate, one in allowedNetworks.
 */
export function addressRefusal(ip: string, policy: WebhookAddressPolicy): string | undefined {
  const version = isIP(ip);
  if (!version) return `${ip} is not an IP address`;
  if (policy.allowPrivate) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (policy.allowedNetworks.length && listOf(policy.allowedNetworks).check(ip, family)) return undefined;
  const hit = REFUSED.find(([, list]) => list.check(ip, family));
  return hit && `${ip} is ${hit[0]}`;
}

/** Names that are this machine whatever a resolver says (RFC 6761). */
const LOOPBACK_NAME = /^(.+\.)?localhost\.?$/i;

/**
 * Why alerts must not be posted to this URL, or undefined when they may (the name is then still
 * to be resolved and each of its addresses checked, at the post): https only (http too with
 * allowPrivate), no user name or password in it (alerts are signed instead), and a host that is
 * not an inside address written out, nor localhost.
 */
export function webhookUrlRefusal(url: string, policy: WebhookAddressPolicy): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && policy.allowPrivate)) {
    return policy.allowPrivate ? 'an http or https address' : 'an https address (plain http is allowed only with ALERT_WEBHOOK_ALLOW_PRIVATE)';
  }
  if (u.username || u.password) return 'no user name or password in the address: the receiver checks the signature instead';
  // The URL parser has already turned 0x7f000001, 2130706433 and 127.1 into 127.0.0.1.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) return addressRefusal(host, policy);
  if (!policy.allowPrivate && LOOPBACK_NAME.test(host)) return `${host} is this machine`;
  return undefined;
}
