import { createServer } from 'node:http';
import type { OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkGuard } from './index.js';

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

type Answer = { headers: OutgoingHttpHeaders; body: Buffer; status?: number };

/** A server on 127.0.0.1 answering by path with fixed bytes; returns its base URL. */
async function serve(routes: Record<string, Answer>): Promise<string> {
  const server = createServer((incoming, response) => {
    const answer = routes[incoming.url ?? '/'];
    if (answer === undefined) return void response.writeHead(404).end();
    response.writeHead(answer.status ?? 200, answer.headers);
    response.end(incoming.method === 'HEAD' ? undefined : answer.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function guard(): NetworkGuard {
  const created = new NetworkGuard({ allow: ['127.0.0.1'] });
  guards.push(created);
  return created;
}

const limits = { timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 0 };
const page = Buffer.from('<html><body><img src="/a.png"></body></html>'.repeat(50));
// 64 MB of zeros, sent as about 64 KB: far under the limit on the wire, far over it decoded.
const zeros = Buffer.alloc(64 * 1024 * 1024);
const gzipBomb = gzipSync(zeros, { level: 9 });
const brotliBomb = brotliCompressSync(zeros);

describe('content codings', () => {
  it('is needed: undici request hands over gzip bodies undecoded', async () => {
    const base = await serve({ '/': { headers: { 'content-encoding': 'gzip' }, body: gzipSync(page) } });
    const answer = await request(`${base}/`);
    const raw = Buffer.from(await answer.body.arrayBuffer());
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
  });

  it('decodes gzip, deflate, brotli and two codings, and keeps the headers as sent', async () => {
    const base = await serve({
      '/gzip': { headers: { 'content-encoding': 'gzip' }, body: gzipSync(page) },
      '/x-gzip': { headers: { 'content-encoding': 'X-GZIP' }, body: gzipSync(page) },
      '/deflate': { headers: { 'content-encoding': 'deflate' }, body: deflateSync(page) },
      '/br': { headers: { 'content-encoding': 'br' }, body: brotliCompressSync(page) },
      '/twice': { headers: { 'content-encoding': 'gzip, br' }, body: brotliCompressSync(gzipSync(page)) },
      '/identity': { headers: { 'content-encoding': 'identity' }, body: page },
      '/truncated': { headers: { 'content-encoding': 'gzip' }, body: gzipSync(page).subarray(0, -8) },
    });
    for (const path of ['/gzip', '/x-gzip', '/deflate', '/br', '/twice', '/identity', '/truncated']) {
      const response = await guard().fetch(`${base}${path}`, {}, limits);
      expect((await response.readBody()).equals(page), path).toBe(true);
    }
    const response = await guard().fetch(`${base}/gzip`, {}, limits);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    await response.discardBody();
  });

  it.each([
    ['gzip', gzipBomb],
    ['br', brotliBomb],
    ['gzip, br', brotliCompressSync(gzipBomb)],
  ])('cuts a %s bomb off at the limit of decoded bytes', async (coding, bomb) => {
    expect(bomb.length).toBeLessThan(limits.maxBytes);
    const base = await serve({ '/bomb': { headers: { 'content-encoding': coding }, body: bomb } });
    const response = await guard().fetch(`${base}/bomb`, {}, limits);
    await expect(response.readBody()).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/larger than 1048576 bytes, the limit for this request/) as string,
    });
  });

  it('still limits the bytes on the wire, declared or not', async () => {
    const noise = Buffer.alloc(2 * 1024 * 1024, 7);
    const base = await serve({ '/big': { headers: { 'content-encoding': 'x-unknown' }, body: noise } });
    const response = await guard().fetch(`${base}/big`, {}, limits);
    await expect(response.readBody()).rejects.toMatchObject({ code: 'too_large' });
  });

  it('refuses bodies that do not decode, and codings wrapped three deep', async () => {
    const base = await serve({
      '/corrupt': { headers: { 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') },
      '/deep': {
        headers: { 'content-encoding': 'gzip, gzip, gzip' },
        body: gzipSync(gzipSync(gzipSync(page))),
      },
    });
    const corrupt = await guard().fetch(`${base}/corrupt`, {}, limits);
    await expect(corrupt.readBody()).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(
        /is not valid gzip data, although its Content-Encoding says so/,
      ) as string,
    });
    const deep = await guard().fetch(`${base}/deep`, {}, limits);
    await expect(deep.readBody()).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/encoded more than 2 times over/) as string,
    });
  });

  it('passes unknown codings on as sent, and empty bodies as empty', async () => {
    const base = await serve({
      '/zstd': { headers: { 'content-encoding': 'zstd' }, body: page },
      '/empty': { headers: { 'content-encoding': 'gzip' }, body: Buffer.alloc(0), status: 204 },
      '/head': { headers: { 'content-encoding': 'gzip' }, body: gzipSync(page) },
    });
    expect((await (await guard().fetch(`${base}/zstd`, {}, limits)).readBody()).equals(page)).toBe(true);
    expect((await (await guard().fetch(`${base}/empty`, {}, limits)).readBody()).length).toBe(0);
    const head = await guard().fetch(`${base}/head`, { method: 'HEAD' }, limits);
    expect((await head.readBody()).length).toBe(0);
  });
});
