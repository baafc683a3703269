import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkGuard, checkUrl } from './index.js';

type Route = (request: IncomingMessage, response: ServerResponse, body: string) => void;

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

/** An HTTP server on 127.0.0.1 answering by path; returns its base URL (http://127.0.0.1:PORT). */
async function serve(routes: Record<string, Route>): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const route = routes[new URL(request.url ?? '/', 'http://x').pathname];
      if (route === undefined) response.writeHead(404).end('no such route');
      else route(request, response, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function guard(options: ConstructorParameters<typeof NetworkGuard>[0] = {}): NetworkGuard {
  const created = new NetworkGuard(options);
  guards.push(created);
  return created;
}

/** A resolver standing in for DNS: each name answers with the given addresses. */
const fakeDns = (answers: Record<string, string[]>) => (hostname: string) =>
  Promise.resolve(
    (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  );

const limits = { timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 5 };

describe('checkUrl', () => {
  it.each([
    ['ftp://example.org/file', /Only http:\/\/ and https:\/\//],
    ['file:///etc/passwd', /Only http:\/\/ and https:\/\//],
    ['javascript:alert(1)', /Only http:\/\/ and https:\/\//],
    ['gopher://example.org/', /Only http:\/\/ and https:\/\//],
    ['https://user:secret@example.org/hook', /credentials.*use https:\/\/example\.org\/hook/],
    ['https://user@example.org/', /credentials/],
    ['not a url', /is not a valid URL/],
    ['/relative/path', /is not a valid URL/],
  ])('refuses %s', (url, message) => {
    expect(() => checkUrl(url)).toThrow(message);
    expect(() => checkUrl(url)).toThrow(expect.objectContaining({ code: 'invalid_argument' }) as Error);
  });

  it('never repeats the password in its message', () => {
    expect(() => checkUrl('https://user:hunter2@example.org/')).toThrow(/^(?!.*hunter2)/);
  });

  it('accepts plain http and https URLs', () => {
    expect(checkUrl('https://Example.org:8443/a?b=c').href).toBe('https://example.org:8443/a?b=c');
  });
});

describe('network guard', () => {
  it('refuses address literals of every spelling before sending anything', async () => {
    let requests = 0;
    const base = await serve({
      '/': (_request, response) => {
        requests += 1;
        response.end('ok');
      },
    });
    const port = new URL(base).port;
    const refused = [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://127.1:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'https://224.0.0.1/',
    ];
    for (const url of refused) {
      await expect(guard().fetch(url, {}, limits), url).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringMatching(/Refused to connect to .*WARDEN_NETWORK_ALLOW/) as string,
      });
    }
    expect(requests).toBe(0);
  });

  it('refuses a real server on 127.0.0.1 without the allow-list and reaches it with it', async () => {
    const base = await serve({ '/hello': (_request, response) => response.end('hello') });
    await expect(guard().fetch(`${base}/hello`, {}, limits)).rejects.toThrow(
      /Refused to connect to 127\.0\.0\.1: it is a loopback address/,
    );
    const decimal = base.replace('127.0.0.1', '2130706433');
    for (const allow of [['127.0.0.1'], ['127.0.0.0/8'], ['::ffff:127.0.0.1']]) {
      const response = await guard({ allow }).fetch(`${decimal}/hello`, {}, limits);
      expect(response.status).toBe(200);
      expect((await response.readBody()).toString()).toBe('hello');
    }
  });

  it('checks the addresses a name resolves to, when it connects', async () => {
    const base = await serve({ '/': (_request, response) => response.end('reached') });
    const port = new URL(base).port;
    const resolve = fakeDns({
      'rebound.example': ['127.0.0.1'],
      'mixed.example': ['93.184.215.14', '10.0.0.7'],
      'allowed.example': ['127.0.0.1'],
    });
    await expect(guard({ resolve }).fetch(`http://rebound.example:${port}/`, {}, limits)).rejects.toThrow(
      /Refused to connect to rebound\.example \(127\.0\.0\.1\): it is a loopback address/,
    );
    await expect(guard({ resolve }).fetch(`http://mixed.example:${port}/`, {}, limits)).rejects.toThrow(
      /mixed\.example \(10\.0\.0\.7\): it is a private network address/,
    );
    const byName = guard({ resolve, allow: ['allowed.example'] });
    const response = await byName.fetch(`http://allowed.example:${port}/`, {}, limits);
    expect((await response.readBody()).toString()).toBe('reached');
    await expect(byName.fetch(`http://rebound.example:${port}/`, {}, limits)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('refuses localhost through the system resolver', async () => {
    const base = await serve({});
    await expect(guard().fetch(base.replace('127.0.0.1', 'localhost'), {}, limits)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('follows redirects and checks every hop', async () => {
    const target = await serve({ '/secret': (_request, response) => response.end('internal') });
    const base = await serve({
      '/start': (_request, response) => response.writeHead(302, { location: '/middle' }).end(),
      '/middle': (_request, response) => response.writeHead(301, { location: '/end?x=1' }).end(),
      '/end': (_request, response) => response.end('arrived'),
      '/away': (_request, response) =>
        response
          .writeHead(302, { location: `${target.replace('127.0.0.1', 'internal.example')}/secret` })
          .end(),
      '/loop': (_request, response) => response.writeHead(307, { location: '/loop' }).end(),
      '/file': (_request, response) => response.writeHead(302, { location: 'file:///etc/passwd' }).end(),
      '/broken': (_request, response) => response.writeHead(302, { location: 'http://[broken' }).end(),
    });
    const port = new URL(base).port;
    const resolve = fakeDns({ 'public.example': ['127.0.0.1'], 'internal.example': ['127.0.0.1'] });
    const allowed = guard({ resolve, allow: ['public.example'] });
    const start = `http://public.example:${port}`;

    const response = await allowed.fetch(`${start}/start`, {}, limits);
    expect((await response.readBody()).toString()).toBe('arrived');
    expect(response.url).toBe(`${start}/end?x=1`);
    expect(response.redirects).toEqual([`${start}/middle`, `${start}/end?x=1`]);

    await expect(allowed.fetch(`${start}/away`, {}, limits)).rejects.toThrow(
      /Refused to connect to internal\.example \(127\.0\.0\.1\)/,
    );
    await expect(allowed.fetch(`${start}/loop`, {}, { ...limits, maxRedirects: 3 })).rejects.toThrow(
      /redirected more than 3 times/,
    );
    await expect(allowed.fetch(`${start}/start`, {}, { ...limits, maxRedirects: 0 })).rejects.toThrow(
      /redirects are not followed here/,
    );
    await expect(allowed.fetch(`${start}/file`, {}, limits)).rejects.toThrow(/Only http:\/\/ and https:\/\//);
    await expect(allowed.fetch(`${start}/broken`, {}, limits)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('turns a POST into a GET after 303 and keeps it after 307, dropping credentials across origins', async () => {
    const seen: string[] = [];
    const other = await serve({
      '/echo': (request, response, body) => {
        seen.push(`${request.method} ${body} auth=${request.headers.authorization ?? '-'}`);
        response.end();
      },
    });
    const base = await serve({
      '/see-other': (_request, response) => response.writeHead(303, { location: '/echo' }).end(),
      '/temporary': (_request, response) => response.writeHead(307, { location: '/echo' }).end(),
      '/elsewhere': (_request, response) => response.writeHead(307, { location: `${other}/echo` }).end(),
      '/echo': (request, response, body) => {
        seen.push(`${request.method} ${body} auth=${request.headers.authorization ?? '-'}`);
        response.end();
      },
    });
    const allowed = guard({ allow: ['127.0.0.1'] });
    const post = { method: 'POST', body: 'payload', headers: { Authorization: 'Bearer token' } };
    for (const path of ['/see-other', '/temporary', '/elsewhere']) {
      await (await allowed.fetch(`${base}${path}`, post, limits)).discardBody();
    }
    expect(seen).toEqual(['GET  auth=Bearer token', 'POST payload auth=Bearer token', 'POST payload auth=-']);
  });

  it('abandons a body larger than the limit, declared or streamed', async () => {
    const big = 'x'.repeat(200_000);
    const base = await serve({
      '/declared': (_request, response) => response.end(big),
      '/streamed': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const send = (left: number) => {
          if (left === 0) return response.end();
          response.write('y'.repeat(10_000));
          setImmediate(() => send(left - 1));
        };
        send(20);
      },
      '/small': (_request, response) => response.end('fits'),
    });
    const allowed = guard({ allow: ['127.0.0.1'] });
    const tight = { ...limits, maxBytes: 50_000 };
    for (const path of ['/declared', '/streamed']) {
      const response = await allowed.fetch(`${base}${path}`, {}, tight);
      await expect(response.readBody()).rejects.toMatchObject({
        code: 'too_large',
        message: expect.stringMatching(/larger than 50000 bytes/) as string,
      });
    }
    expect((await (await allowed.fetch(`${base}/small`, {}, tight)).readBody()).toString()).toBe('fits');
  });

  it('gives up when the answer takes too long, headers or body', async () => {
    const base = await serve({
      '/silent': () => undefined,
      '/dribble': (_request, response) => {
        response.writeHead(200);
        response.write('first');
      },
    });
    const allowed = guard({ allow: ['127.0.0.1'] });
    const quick = { ...limits, timeoutMs: 300 };
    // Without the time limit both would wait for ever (the test's own timeout); with it, each says why.
    await expect(allowed.fetch(`${base}/silent`, {}, quick)).rejects.toThrow(
      /No complete answer from http:\/\/127\.0\.0\.1:\d+ within 300 ms/,
    );
    const response = await allowed.fetch(`${base}/dribble`, {}, quick);
    await expect(response.readBody()).rejects.toThrow(/within 300 ms/);
  });

  it("passes on the caller's own abort as it is", async () => {
    const base = await serve({ '/silent': () => undefined });
    const controller = new AbortController();
    const pending = guard({ allow: ['127.0.0.1'] }).fetch(
      `${base}/silent`,
      { signal: controller.signal },
      limits,
    );
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow(/shutting down/);
  });
});
