// Hostile URLs against the guard's decision. Forbidden addresses beyond loopback are only ever judged
// (check(), a stub resolver, no socket); live tests connect only to loopback servers started here.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkGuard, checkUrl } from './index.js';

const servers: Server[] = [];
const guards: NetworkGuard[] = [];

afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A server on a loopback address that answers every request with `name`; counts what it served. */
async function serve(
  name: string,
  host = '127.0.0.1',
  port = 0,
): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    response.end(`${name} via ${request.socket.localAddress ?? '?'}`);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

function guard(options: ConstructorParameters<typeof NetworkGuard>[0] = {}): NetworkGuard {
  const created = new NetworkGuard(options);
  guards.push(created);
  return created;
}

const family = (address: string) => (address.includes(':') ? 6 : 4);

/** A resolver standing in for DNS: each name answers with the given addresses. */
const fakeDns = (answers: Record<string, string[]>) => (hostname: string) =>
  Promise.resolve((answers[hostname] ?? []).map((address) => ({ address, family: family(address) })));

const limits = { timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 5 };

const dns = fakeDns({
  localhost: ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1'],
  '127.0.0.1.nip.io': ['127.0.0.1'],
  'metadata.google.internal': ['169.254.169.254'],
  'alibaba-metadata.example': ['100.100.100.200'],
  'mixed.example': ['93.184.215.14', '10.0.0.7'],
  'six.example': ['::1'],
  'ula.example': ['fd00::1'],
  'mapped.example': ['::ffff:10.0.0.1'],
  'nat64.example': ['64:ff9b::a9fe:a9fe'],
  'zero.example': ['0.0.0.0'],
  'public.example': ['93.184.215.14', '2606:4700:4700::1111'],
});

// Every URL here must be refused, before any connection, with a message naming the host and the reason.
const hostile: [url: string, reason: RegExp][] = [
  // IPv4 loopback in every spelling the WHATWG parser turns into 127.0.0.1
  ['http://127.0.0.1/', /127\.0\.0\.1: it is a loopback address/],
  ['http://2130706433/', /127\.0\.0\.1: it is a loopback address/],
  ['http://0x7f.1/', /127\.0\.0\.1: it is a loopback address/],
  ['http://017700000001/', /127\.0\.0\.1: it is a loopback address/],
  ['http://127.1/', /127\.0\.0\.1: it is a loopback address/],
  ['http://0x7f000001/', /127\.0\.0\.1: it is a loopback address/],
  ['http://0177.0.0.1/', /127\.0\.0\.1: it is a loopback address/],
  ['http://127.0.0.1./', /127\.0\.0\.1: it is a loopback address/],
  ['http://%31%32%37.0.0.1/', /127\.0\.0\.1: it is a loopback address/],
  ['http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/', /127\.0\.0\.1: it is a loopback address/],
  ['https://127.255.255.254:8443/', /127\.255\.255\.254: it is a loopback address/],
  // other IPv4 special-purpose ranges
  ['http://0/', /0\.0\.0\.0: it is an unspecified address/],
  ['http://0.1.2.3/', /0\.1\.2\.3: it is an unspecified address/],
  ['http://10.0.0.1/', /10\.0\.0\.1: it is a private network address/],
  ['http://172.16.0.1/', /172\.16\.0\.1: it is a private network address/],
  ['http://172.31.255.255/', /172\.31\.255\.255: it is a private network address/],
  ['http://192.168.1.1/', /192\.168\.1\.1: it is a private network address/],
  ['http://100.64.0.1/', /100\.64\.0\.1: it is a carrier-grade NAT address/],
  ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254: it is a link-local address/],
  ['http://192.0.0.170/', /192\.0\.0\.170: it is a reserved address/],
  ['http://192.0.2.1/', /192\.0\.2\.1: it is a documentation address/],
  ['http://192.88.99.1/', /192\.88\.99\.1: it is a reserved address/],
  ['http://198.18.0.1/', /198\.18\.0\.1: it is a benchmarking address/],
  ['http://198.51.100.1/', /198\.51\.100\.1: it is a documentation address/],
  ['http://203.0.113.1/', /203\.0\.113\.1: it is a documentation address/],
  ['http://224.0.0.1/', /224\.0\.0\.1: it is a multicast address/],
  ['http://240.0.0.1/', /240\.0\.0\.1: it is a reserved address/],
  ['http://255.255.255.255/', /255\.255\.255\.255: it is the broadcast address/],
  // IPv6, and IPv4 carried inside IPv6 (mapped, NAT64, 6to4, IPv4-compatible)
  ['http://[::]/', /\[::\]: it is an unspecified address/],
  ['http://[::1]/', /\[::1\]: it is a loopback address/],
  ['http://[0:0:0:0:0:0:0:1]/', /\[::1\]: it is a loopback address/],
  ['http://[::ffff:127.0.0.1]/', /\[::ffff:7f00:1\]: it is a loopback address/],
  ['http://[::ffff:a9fe:a9fe]/', /\[::ffff:a9fe:a9fe\]: it is a link-local address/],
  ['http://[64:ff9b::127.0.0.1]/', /\[64:ff9b::7f00:1\]: it is a loopback address/],
  ['http://[64:ff9b::10.1.2.3]/', /: it is a private network address/],
  ['http://[2002:7f00:1::1]/', /\[2002:7f00:1::1\]: it is a loopback address/],
  ['http://[2002:a9fe:a9fe::]/', /: it is a link-local address/],
  ['http://[::7f00:1]/', /\[::7f00:1\]: it is a reserved address/],
  ['http://[fc00::1]/', /\[fc00::1\]: it is a unique local address/],
  ['http://[fd00:ec2::254]/', /\[fd00:ec2::254\]: it is a unique local address/],
  ['http://[fe80::1]/', /\[fe80::1\]: it is a link-local address/],
  ['http://[ff02::1]/', /\[ff02::1\]: it is a multicast address/],
  ['http://[2001:db8::1]/', /\[2001:db8::1\]: it is a documentation address/],
  ['http://[100::1]/', /\[100::1\]: it is a reserved address/],
  ['http://[2001:10::1]/', /\[2001:10::1\]: it is a reserved address/],
  // names that resolve to forbidden addresses (DNS stands in for the attacker's zone)
  ['http://localhost/', /localhost \(127\.0\.0\.1\): it is a loopback address/],
  ['http://LOCALHOST./', /localhost\. \(127\.0\.0\.1\): it is a loopback address/],
  ['http://127.0.0.1.nip.io/', /127\.0\.0\.1\.nip\.io \(127\.0\.0\.1\): it is a loopback address/],
  [
    'http://metadata.google.internal/computeMetadata/v1/',
    /metadata\.google\.internal \(169\.254\.169\.254\): it is a link-local address/,
  ],
  ['http://alibaba-metadata.example/', /\(100\.100\.100\.200\): it is a carrier-grade NAT address/],
  ['http://mixed.example/', /mixed\.example \(10\.0\.0\.7\): it is a private network address/],
  ['http://six.example/', /six\.example \(::1\): it is a loopback address/],
  ['http://ula.example/', /ula\.example \(fd00::1\): it is a unique local address/],
  ['http://mapped.example/', /mapped\.example \(::ffff:10\.0\.0\.1\): it is a private network address/],
  ['http://nat64.example/', /nat64\.example \(64:ff9b::a9fe:a9fe\): it is a link-local address/],
  ['http://zero.example/', /zero\.example \(0\.0\.0\.0\): it is an unspecified address/],
];

// URLs refused for their form before any address is considered.
const malformed: [url: string, reason: RegExp][] = [
  ['file:///etc/passwd', /Only http:\/\/ and https:\/\/ URLs can be used; this one starts with file:/],
  ['gopher://127.0.0.1:6379/_FLUSHALL', /starts with gopher:/],
  ['dict://127.0.0.1:11211/stats', /starts with dict:/],
  ['ftp://10.0.0.1/', /starts with ftp:/],
  ['ws://127.0.0.1/', /starts with ws:/],
  ['data:text/html,<script>alert(1)</script>', /starts with data:/],
  ['http://user:secret@example.org/', /URLs with credentials/],
  ['http://[fe80::1%25eth0]/', /is not a valid URL/],
  ['http://127.0.0.1:99999/', /is not a valid URL/],
  ['http://0x100000000/', /is not a valid URL/],
];

describe('hostile URLs at the guard decision', () => {
  it('has a table of at least 30 hostile URLs', () => {
    expect(hostile.length + malformed.length).toBeGreaterThanOrEqual(60);
  });

  it.each(hostile)('refuses %s (%s)', async (url, reason) => {
    const decision = guard({ resolve: dns }).check(url);
    await expect(decision).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(
        new RegExp(`^Refused to connect to .*${reason.source}.*only connects to public addresses`),
      ) as string,
    });
  });

  it.each(malformed)('refuses %s for its form (%s)', async (url, reason) => {
    await expect(guard({ resolve: dns }).check(url)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(reason) as string,
    });
  });

  it('passes public addresses and names that resolve only to them', async () => {
    const judge = guard({ resolve: dns });
    await expect(judge.check('https://public.example/page')).resolves.toMatchObject({
      port: 443,
      addresses: ['93.184.215.14', '2606:4700:4700::1111'],
    });
    await expect(judge.check('http://8.8.8.8:8080/')).resolves.toMatchObject({
      port: 8080,
      addresses: ['8.8.8.8'],
    });
    await expect(judge.check('http://[2606:4700:4700::1111]/')).resolves.toMatchObject({
      addresses: ['2606:4700:4700::1111'],
    });
  });

  it('sees IPv4 spellings already made canonical by URL parsing', () => {
    for (const spelling of [
      '2130706433',
      '0x7f.1',
      '017700000001',
      '127.1',
      '0x7f000001',
      '0177.0.0.1',
      '127.0.1',
      '127.0.0.1.',
      '%31%32%37.0.0.1',
    ]) {
      expect(checkUrl(`http://${spelling}/`).hostname, spelling).toBe('127.0.0.1');
    }
    expect(checkUrl('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });

  it('says when the allow-list admits the address on other ports only', async () => {
    const judge = guard({ allow: ['127.0.0.1:8000', 'receiver.internal:8443'], resolve: fakeDns({}) });
    await expect(judge.check('http://127.0.0.1:8000/')).resolves.toMatchObject({ port: 8000 });
    await expect(judge.check('http://2130706433:8000/')).resolves.toMatchObject({ port: 8000 });
    await expect(judge.check('http://127.0.0.1:8001/')).rejects.toThrow(
      /127\.0\.0\.1: it is a loopback address.*admits it on port 8000 only, not on port 8001/,
    );
    await expect(judge.check('http://127.0.0.1/')).rejects.toThrow(/not on port 80\./);
    await expect(judge.check('http://127.0.0.2:8000/')).rejects.toThrow(
      /127\.0\.0\.2: it is a loopback address.*add it \(HOST or HOST:PORT\) or its network to WARDEN_NETWORK_ALLOW/,
    );
    await expect(judge.check('https://receiver.internal:8443/')).rejects.toThrow(/has no address/);
    await expect(judge.check('https://receiver.internal/')).rejects.toThrow(/has no address/);
  });
});

describe('live refusals on loopback', () => {
  it('reaches the allowed address and port and nothing next to it', async () => {
    const allowed = await serve('allowed');
    const otherPort = await serve('other port');
    const otherAddress = await serve('other address', '127.0.0.2');
    const strict = guard({ allow: [`127.0.0.1:${allowed.port}`] });
    const response = await strict.fetch(`http://127.0.0.1:${allowed.port}/`, {}, limits);
    expect((await response.readBody()).toString()).toBe('allowed via 127.0.0.1');
    await expect(strict.fetch(`http://127.0.0.1:${otherPort.port}/`, {}, limits)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(`admits it on port ${allowed.port} only`) as string,
    });
    await expect(strict.fetch(`http://127.0.0.2:${otherAddress.port}/`, {}, limits)).rejects.toThrow(
      /Refused to connect to 127\.0\.0\.2: it is a loopback address/,
    );
    await expect(strict.fetch(`http://[::1]:${allowed.port}/`, {}, limits)).rejects.toThrow(
      /\[::1\]: it is a loopback address/,
    );
    expect([otherPort.hits(), otherAddress.hits()]).toEqual([0, 0]);
  });

  it('checks each redirect hop against the port too', async () => {
    const target = await serve('target');
    const start = createServer((_request, response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end(),
    );
    servers.push(start);
    await new Promise<void>((resolve) => start.listen(0, '127.0.0.1', resolve));
    const port = (start.address() as AddressInfo).port;
    await expect(
      guard({ allow: [`127.0.0.1:${port}`] }).fetch(`http://127.0.0.1:${port}/`, {}, limits),
    ).rejects.toThrow(/Refused to connect to 127\.0\.0\.1: it is a loopback address/);
    expect(target.hits()).toBe(0);
  });

  it('connects to the address it checked, with no second lookup for DNS to change', async () => {
    const checked = await serve('checked');
    // The same port on another loopback address: where a second lookup would lead.
    const rebound = await serve('rebound', '127.0.0.2', checked.port);
    let lookups = 0;
    const flipping = (hostname: string) => {
      lookups += 1;
      const address = lookups === 1 ? '127.0.0.1' : '127.0.0.2';
      return fakeDns({ [hostname]: [address] })(hostname);
    };
    const strict = guard({ allow: ['127.0.0.1'], resolve: flipping });
    const response = await strict.fetch(`http://flip.example:${checked.port}/`, {}, limits);
    expect((await response.readBody()).toString()).toBe('checked via 127.0.0.1');
    expect(lookups).toBe(1);
    expect(rebound.hits()).toBe(0);
  });

  it('judges again when it connects, whatever an earlier check said', async () => {
    // The answer turns from public to loopback between check() and fetch(); the socket never opens.
    const target = await serve('loopback');
    const answers = [['93.184.215.14'], ['127.0.0.1']];
    const turning = (hostname: string) => fakeDns({ [hostname]: answers.shift() ?? ['127.0.0.1'] })(hostname);
    const judge = guard({ resolve: turning });
    const url = `http://turning.example:${target.port}/`;
    await expect(judge.check(url)).resolves.toMatchObject({ addresses: ['93.184.215.14'] });
    await expect(judge.fetch(url, {}, limits)).rejects.toThrow(
      /Refused to connect to turning\.example \(127\.0\.0\.1\): it is a loopback address/,
    );
    expect(target.hits()).toBe(0);
  });
});
