// IP addresses as the network guard sees them: parsed into one numeric form (so dotted, compressed,
// zero-padded and IPv4-mapped spellings of one address compare equal), classified against the IANA
// special-purpose registries, and matched against the operator's allow-list.
import { isIP } from 'node:net';
import { configEnvironment } from '../config/index.js';
import { WardenError } from '../errors/index.js';

/** What an address is for. Only `public` addresses are reachable without an allow-list entry. */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export interface IpAddress {
  readonly family: 4 | 6;
  /** The address as one unsigned integer: 32 bits for IPv4, 128 for IPv6. */
  readonly value: bigint;
}

const bits = { 4: 32, 6: 128 } as const;

/** Parses an IPv4 or IPv6 literal (brackets and an IPv6 zone are accepted); anything else gives undefined. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const address = unbracketed.split('%', 1)[0] ?? '';
  switch (isIP(address)) {
    case 4:
      return { family: 4, value: ipv4Value(address) };
    case 6:
      return { family: 6, value: ipv6Value(address) };
    default:
      return undefined;
  }
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  // node:net has validated the text, so there is at most one "::" and a dotted quad only at the end.
  const groups = (part: string): bigint[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [BigInt(Number.parseInt(group, 16))];
          const quad = ipv4Value(group);
          return [quad >> 16n, quad & 0xffffn];
        });
  const [head = '', tail] = text.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const zeros = Array.from({ length: 8 - before.length - after.length }, () => 0n);
  return [...before, ...zeros, ...after].reduce((value, group) => (value << 16n) | group, 0n);
}

interface Network {
  address: IpAddress;
  prefix: number;
}

function contains(network: Network, address: IpAddress): boolean {
  if (network.address.family !== address.family) return false;
  const shift = BigInt(bits[address.family] - network.prefix);
  return address.value >> shift === network.address.value >> shift;
}

/** Parses `address/prefix`, or a bare address as a network of one. */
export function parseNetwork(text: string): Network | undefined {
  const [addressText = '', prefixText, ...rest] = text.split('/');
  const address = parseIpAddress(addressText);
  if (address === undefined || rest.length > 0) return undefined;
  const width = bits[address.family];
  if (prefixText === undefined) return { address, prefix: width };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) return undefined;
  return { address, prefix: Number(prefixText) };
}

/** The IPv4 address an IPv6 address stands for (IPv4-mapped `::ffff:a.b.c.d`), else the address itself. */
export function unmapIpv4(address: IpAddress): IpAddress {
  return address.family === 6 && address.value >> 32n === 0xffffn
    ? { family: 4, value: address.value & 0xffffffffn }
    : address;
}

type Rule = [network: string, kind: AddressKind] | [network: string, embedsIpv4At: { shift: bigint }];

// First match wins, so narrower ranges come before the ranges that contain them.
const ipv4Rules: Rule[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade-nat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
  ['0.0.0.0/0', 'public'],
];

const ipv6Rules: Rule[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // These carry an IPv4 address that a gateway or the host's own stack will reach: judge that address.
  ['::ffff:0:0/96', { shift: 0n }],
  ['64:ff9b::/96', { shift: 0n }],
  ['2002::/16', { shift: 80n }],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['2001::/23', 'reserved'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'reserved'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'],
  ['ff00::/8', 'multicast'],
  ['2000::/3', 'public'],
  ['::/0', 'reserved'],
];

const compile = (rules: Rule[]) =>
  rules.map(([text, outcome]) => {
    const network = parseNetwork(text);
    if (network === undefined) throw new Error(`bad built-in network ${text}`);
    return { network, outcome };
  });
const rulesByFamily = { 4: compile(ipv4Rules), 6: compile(ipv6Rules) };

/** Classifies an address. IPv4 embedded in IPv6 (mapped, NAT64, 6to4) is judged by its IPv4 address. */
export function classifyAddress(address: IpAddress): AddressKind {
  for (const { network, outcome } of rulesByFamily[address.family]) {
    if (!contains(network, address)) continue;
    if (typeof outcome === 'string') return outcome;
    return classifyAddress({ family: 4, value: (address.value >> outcome.shift) & 0xffffffffn });
  }
  // Unreachable: each family's last rule covers every address.
  return 'reserved';
}

/**
 * The operator's exceptions (configuration `networkAllow`, `--allow-host`). Each entry is a host name,
 * which is then reachable whatever it resolves to, or an address or CIDR network, which is reachable
 * under any name; either may end in `:PORT` (an IPv6 address or network in brackets: `[::1]:8000`), and
 * then admits that port only. An entry without a port admits every port, as entries always have.
 * Matching is exact: `127.0.0.1:8000` admits neither 127.0.0.2 nor port 8001, `example.org` admits
 * neither `www.example.org` nor `example.org.evil`.
 */
export class AllowList {
  /** Host name → the ports it is admitted on; `undefined` in the set stands for every port. */
  private readonly hosts = new Map<string, Set<number | undefined>>();
  private readonly networks: { network: Network; port: number | undefined }[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseAllowEntry(entry.trim());
      if (parsed === undefined) {
        throw new WardenError(
          'configuration',
          `${configEnvironment.networkAllow}: "${entry}" is neither a host name (example.org), an address (10.0.0.5) nor a network (10.0.0.0/8, fd00::/8), each optionally followed by a port (example.org:8443, 127.0.0.1:8000, [::1]:8000).`,
        );
      }
      if ('host' in parsed) {
        const ports = this.hosts.get(parsed.host) ?? new Set();
        ports.add(parsed.port);
        this.hosts.set(parsed.host, ports);
      } else {
        this.networks.push(parsed);
      }
    }
  }

  /** Whether an entry names this host, on this port or on every port. */
  allowsHost(hostname: string, port?: number): boolean {
    const ports = this.hosts.get(normaliseHostName(hostname));
    return ports !== undefined && (ports.has(undefined) || (port !== undefined && ports.has(port)));
  }

  /** Whether an entry's address or network contains this address, on this port or on every port. */
  allowsAddress(address: IpAddress, port?: number): boolean {
    const unmapped = unmapIpv4(address);
    return this.networks.some(
      (entry) => (entry.port === undefined || entry.port === port) && contains(entry.network, unmapped),
    );
  }

  /**
   * The ports that entries admit this host or address on, when entries name it only with ports: what a
   * refusal should tell the operator. Empty when no entry names it at all.
   */
  portsAllowedFor(hostname: string, address: IpAddress | undefined): number[] {
    const ports = new Set<number>();
    for (const port of this.hosts.get(normaliseHostName(hostname)) ?? [])
      if (port !== undefined) ports.add(port);
    const unmapped = address === undefined ? undefined : unmapIpv4(address);
    for (const entry of this.networks) {
      if (entry.port !== undefined && unmapped !== undefined && contains(entry.network, unmapped)) {
        ports.add(entry.port);
      }
    }
    return [...ports].sort((a, b) => a - b);
  }
}

type AllowEntry = { host: string; port: number | undefined } | { network: Network; port: number | undefined };

function parseAllowEntry(entry: string): AllowEntry | undefined {
  // A bare IPv6 address or network is taken whole: "::1:8000" is an address, not ::1 on port 8000.
  const whole = parseNetwork(entry);
  if (whole !== undefined) return { network: unmapNetwork(whole), port: undefined };
  const withPort = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
  const target = withPort === null ? entry : (withPort[1] ?? withPort[2] ?? '');
  const port = withPort === null ? undefined : Number(withPort[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const network = parseNetwork(target);
  if (network !== undefined) {
    // A bracketed IPv4 address or network is not a spelling anyone means.
    if (withPort?.[1] !== undefined && network.address.family !== 6) return undefined;
    return { network: unmapNetwork(network), port };
  }
  if (withPort?.[1] !== undefined) return undefined;
  const host = allowedHostName(target);
  if (host === undefined) return undefined;
  // A host name that URL parsing turns into an address (2130706433 → 127.0.0.1) is that address.
  const address = parseNetwork(host);
  return address === undefined ? { host, port } : { network: unmapNetwork(address), port };
}

function unmapNetwork(network: Network): Network {
  const mapped = network.address.family === 6 && network.prefix >= 96;
  const address = unmapIpv4(network.address);
  return mapped && address.family === 4 ? { address, prefix: network.prefix - 96 } : network;
}

function normaliseHostName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

function allowedHostName(entry: string): string | undefined {
  // Anything beyond a bare host (a scheme, a port, a path, credentials) means the entry is not what it seems.
  if (entry === '' || /[\s:/\\@?#[\]]/.test(entry)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${entry}/`);
  } catch {
    return undefined;
  }
  return normaliseHostName(url.hostname);
}
