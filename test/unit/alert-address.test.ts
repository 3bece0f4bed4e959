import { describe, expect, it } from 'vitest';
import { addressRefusal, parseNetworks, STRICT, webhookAddressPolicy, webhookUrlRefusal } from '../../domain/alerts/webhook-address';

/** Where alerts may be posted (domain/alerts/webhook-address.ts): https on the public internet, unless configured otherwise. */
describe('an alert address', () => {
  const permissive = webhookAddressPolicy(true, []);

  it('is https on the public internet; plain http only when private addresses are allowed', () => {
    expect(webhookUrlRefusal('https://alerts.example.com/hooks/finance', STRICT)).toBeUndefined();
    expect(webhookUrlRefusal('https://93.184.216.34:8443/hook', STRICT)).toBeUndefined();
    expect(webhookUrlRefusal('https://[2606:4700::1111]/hook', STRICT)).toBeUndefined();
    expect(webhookUrlRefusal('http://alerts.example.com/hook', STRICT)).toMatch(/an https address/);
    expect(webhookUrlRefusal('http://alerts.example.com/hook', permissive)).toBeUndefined();
    expect(webhookUrlRefusal('ftp://alerts.example.com/hook', permissive)).toBe('an http or https address');
    expect(webhookUrlRefusal('file:///etc/passwd', STRICT)).toMatch(/https/);
    expect(webhookUrlRefusal('not a url', STRICT)).toBe('not a URL');
    expect(webhookUrlRefusal('https://user:secret@alerts.example.com/', STRICT)).toMatch(/no user name or password/);
  });

  it('is not an inside address written out, however it is spelled', () => {
    for (const [url, what] of [
      ['https://127.0.0.1/', 'loopback'], ['https://127.9.9.9:8443/', 'loopback'], ['https://[::1]/', 'loopback'],
      ['https://2130706433/', 'loopback'], ['https://0x7f000001/', 'loopback'], ['https://127.1/', 'loopback'],
      ['https://[::ffff:127.0.0.1]/', 'loopback'], ['https://[::ffff:10.1.2.3]/', 'private'],
      ['https://10.0.0.5/', 'private'], ['https://172.16.0.1/', 'private'], ['https://172.31.255.255/', 'private'], ['https://192.168.1.1/', 'private'],
      ['https://[fd12:3456::1]/', 'private'], ['https://[fc00::1]/', 'private'],
      ['https://169.254.169.254/latest/meta-data/', 'link-local'], ['https://[fe80::1]/', 'link-local'],
      ['https://224.0.0.1/', 'multicast'], ['https://[ff02::1]/', 'multicast'],
      ['https://100.64.0.1/', 'shared space'], ['https://0.0.0.0/', 'unspecified'], ['https://[::]/', 'unspecified'],
      ['https://240.0.0.1/', 'reserved'], ['https://255.255.255.255/', 'reserved'], ['https://192.0.2.10/', 'reserved'],
      ['https://[2002:7f00:1::]/', 'reserved'], ['https://[64:ff9b::a00:1]/', 'reserved'], ['https://[2001:db8::1]/', 'reserved'],
    ] as const) {
      expect(webhookUrlRefusal(url, STRICT), url).toMatch(what);
      expect(webhookUrlRefusal(url.replace('https:', 'http:'), permissive), url).toBeUndefined();
    }
    // just outside the private ranges
    for (const url of ['https://172.32.0.1/', 'https://11.0.0.1/', 'https://192.169.0.1/', 'https://100.128.0.1/', 'https://[2001:4860::8888]/']) {
      expect(webhookUrlRefusal(url, STRICT), url).toBeUndefined();
    }
  });

  it('is not localhost by name (its addresses are checked when posting, whatever the name)', () => {
    for (const url of ['https://localhost/', 'https://LOCALHOST.:8443/', 'https://api.localhost/']) {
      expect(webhookUrlRefusal(url, STRICT), url).toMatch(/is this machine/);
    }
    expect(webhookUrlRefusal('https://localhost.example.com/', STRICT)).toBeUndefined();
    expect(webhookUrlRefusal('http://localhost:8080/', permissive)).toBeUndefined();
  });

  it('may be in an inside network the operator allowed, over https still', () => {
    const policy = webhookAddressPolicy(false, ['10.20.0.0/16', 'fd00:1::/64']);
    expect(webhookUrlRefusal('https://10.20.3.4/hook', policy)).toBeUndefined();
    expect(webhookUrlRefusal('https://[fd00:1::5]/hook', policy)).toBeUndefined();
    expect(webhookUrlRefusal('https://10.21.0.1/hook', policy)).toMatch(/private/);
    expect(webhookUrlRefusal('http://10.20.3.4/hook', policy)).toMatch(/https/);
    expect(addressRefusal('169.254.169.254', policy)).toMatch(/link-local/);
  });

  it('checks resolved addresses the same way', () => {
    expect(addressRefusal('8.8.8.8', STRICT)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', STRICT)).toBe('127.0.0.1 is a loopback address');
    expect(addressRefusal('::ffff:169.254.169.254', STRICT)).toMatch(/link-local/);
    expect(addressRefusal('localhost', STRICT)).toBe('localhost is not an IP address');
  });

  it('networks are address/prefix', () => {
    expect(parseNetworks('10.20.0.0/16, fd00::/8')).toEqual([
      { address: '10.20.0.0', prefix: 16, family: 'ipv4' }, { address: 'fd00::', prefix: 8, family: 'ipv6' },
    ]);
    expect(parseNetworks('')).toEqual([]);
    expect(parseNetworks('10.20.0.0')).toMatch(/not address\/prefix/);
    expect(parseNetworks('10.20.0.0/33')).toMatch(/at most 32/);
    expect(parseNetworks('example.com/8')).toMatch(/not address\/prefix/);
  });
});
