import { describe, expect, it } from 'vitest';
import { AllowList, classifyAddress, parseIpAddress, parseNetwork } from './addresses.js';
import type { AddressKind } from './addresses.js';

const classify = (text: string): AddressKind | undefined => {
  const address = parseIpAddress(text);
  return address === undefined ? undefined : classifyAddress(address);
};

describe('address classification', () => {
  const cases: [string, AddressKind][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['93.184.215.14', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.63.255.255', 'public'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.255', 'carrier-grade-nat'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],

    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:81b::200e', 'public'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['100::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['4000::1', 'reserved'],
    ['64:ff9b:1::1', 'private'],

    // IPv4 carried inside IPv6 is judged by the IPv4 address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:808:808::1', 'public'],
  ];
  it.each(cases)('%s is %s', (address, kind) => {
    expect(classify(address)).toBe(kind);
  });

  it.each([
    '',
    'localhost',
    '127.1',
    '2130706433',
    '0x7f.0.0.1',
    '010.0.0.1',
    '1.2.3.4.5',
    ':::1',
    'fe80::g',
  ])('"%s" is not an address literal', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it('reads every spelling of one address as the same value', () => {
    const values = ['::ffff:127.0.0.1', '[::ffff:7f00:1]', '0:0:0:0:0:ffff:7f00:0001'].map(
      (text) => parseIpAddress(text)?.value,
    );
    expect(new Set(values).size).toBe(1);
    expect(parseIpAddress('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseIpAddress('1::8')?.value).toBe(0x00010000000000000000000000000008n);
  });

  it('parses networks and refuses malformed ones', () => {
    expect(parseNetwork('10.0.0.0/8')).toMatchObject({ prefix: 8 });
    expect(parseNetwork('::1')).toMatchObject({ prefix: 128 });
    for (const bad of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      'example.org/8',
      '10.0.0.0/-1',
    ]) {
      expect(parseNetwork(bad)).toBeUndefined();
    }
  });
});

describe('allow-list', () => {
  const address = (text: string) => {
    const parsed = parseIpAddress(text);
    if (parsed === undefined) throw new Error(`not an address: ${text}`);
    return parsed;
  };

  it('allows hosts by name and addresses by network, including mapped IPv4', () => {
    const allow = new AllowList(['Receiver.Internal.', '10.0.0.0/8', '127.0.0.1', 'fd00::/8', '2130706433']);
    expect(allow.allowsHost('receiver.internal')).toBe(true);
    expect(allow.allowsHost('other.internal')).toBe(false);
    expect(allow.allowsAddress(address('10.20.30.40'))).toBe(true);
    expect(allow.allowsAddress(address('11.0.0.1'))).toBe(false);
    expect(allow.allowsAddress(address('127.0.0.1'))).toBe(true);
    expect(allow.allowsAddress(address('127.0.0.2'))).toBe(false);
    expect(allow.allowsAddress(address('::ffff:127.0.0.1'))).toBe(true);
    expect(allow.allowsAddress(address('fd00::5'))).toBe(true);
    expect(allow.allowsAddress(address('fe80::5'))).toBe(false);
  });

  it('admits an address or host named with a port on that port only', () => {
    const allow = new AllowList(['127.0.0.1:8000', 'receiver.internal:8443', '[::1]:9000', '10.0.0.0/8:25']);
    expect(allow.allowsAddress(address('127.0.0.1'), 8000)).toBe(true);
    expect(allow.allowsAddress(address('::ffff:127.0.0.1'), 8000)).toBe(true);
    expect(allow.allowsAddress(address('127.0.0.1'), 8001)).toBe(false);
    expect(allow.allowsAddress(address('127.0.0.2'), 8000)).toBe(false);
    expect(allow.allowsAddress(address('127.0.0.1'))).toBe(false);
    expect(allow.allowsHost('receiver.internal', 8443)).toBe(true);
    expect(allow.allowsHost('Receiver.Internal.', 8443)).toBe(true);
    expect(allow.allowsHost('receiver.internal', 443)).toBe(false);
    expect(allow.allowsHost('receiver.internal')).toBe(false);
    expect(allow.allowsAddress(address('::1'), 9000)).toBe(true);
    expect(allow.allowsAddress(address('::1'), 9001)).toBe(false);
    expect(allow.allowsAddress(address('10.9.8.7'), 25)).toBe(true);
    expect(allow.allowsAddress(address('10.9.8.7'), 587)).toBe(false);
    expect(allow.portsAllowedFor('127.0.0.1', address('127.0.0.1'))).toEqual([8000]);
    expect(allow.portsAllowedFor('127.0.0.2', address('127.0.0.2'))).toEqual([]);
  });

  it('admits every port for entries without one, as before ports could be named', () => {
    const allow = new AllowList(['127.0.0.1', 'receiver.internal', 'receiver.internal:8443']);
    for (const port of [80, 443, 8000, 8001, undefined]) {
      expect(allow.allowsAddress(address('127.0.0.1'), port)).toBe(true);
      expect(allow.allowsHost('receiver.internal', port)).toBe(true);
    }
    expect(allow.allowsAddress(address('127.0.0.2'), 80)).toBe(false);
  });

  it('names exact hosts: no subdomains, no look-alikes, no neighbours', () => {
    const allow = new AllowList(['example.org', '127.0.0.1', '::1']);
    for (const host of ['www.example.org', 'example.org.evil', 'example.com', 'xexample.org']) {
      expect(allow.allowsHost(host, 80), host).toBe(false);
    }
    for (const other of ['127.0.0.2', '127.0.1.1', '::2', '::ffff:127.0.0.2', '0.0.0.0']) {
      expect(allow.allowsAddress(address(other), 80), other).toBe(false);
    }
  });

  it('reads a bare IPv6 address as an address, never as an address and a port', () => {
    const allow = new AllowList(['::1:8000']);
    expect(allow.allowsAddress(address('::1:8000'), 80)).toBe(true);
    expect(allow.allowsAddress(address('::1'), 8000)).toBe(false);
  });

  it.each([
    'http://example.org',
    'example.org/path',
    'user@example.org',
    'a b',
    'example.org:',
    'example.org:0',
    'example.org:65536',
    'example.org:80:80',
    'example.org:http',
    '[127.0.0.1]:80',
    '[example.org]:80',
    '::1]:80',
    '10.0.0.0/33:80',
  ])('refuses the entry "%s" with a message naming the variable', (entry) => {
    expect(() => new AllowList([entry])).toThrow(/WARDEN_NETWORK_ALLOW: ".*" is neither a host name/);
  });
});
