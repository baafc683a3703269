// A small synthetic web on 127.0.0.1 for crawler tests: three hosts (three ports) with pages that link to
// each other, generated images (some of them resized or re-compressed copies of "bank" originals, planted
// on pages in every way a page can show an image), a robots.txt that disallows a path, broken links, a
// redirect chain, a slow page, a huge page, a page that fails once, and links to addresses the network
// guard must refuse. Every request is logged with its host, path and time.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** A generated image: random colour blocks, smoothed; distinct seeds give unrelated PDQ hashes. */
export async function blockImage(seed: number, size = 256): Promise<Buffer> {
  let state = (seed * 2654435761) >>> 0;
  const blocks = 16;
  const data = Buffer.alloc(blocks * blocks * 3);
  for (let index = 0; index < data.length; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[index] = state >>> 24;
  }
  return sharp(data, { raw: { width: blocks, height: blocks, channels: 3 } })
    .resize(size, size, { kernel: 'cubic' })
    .png()
    .toBuffer();
}

export interface LoggedRequest {
  /** Which of the web's hosts: 'a', 'b' or 'c'. */
  host: string;
  path: string;
  at: number;
}

export interface SyntheticWeb {
  /** Origins by host name: http://127.0.0.1:PORT. */
  origin: { a: string; b: string; c: string };
  /** The originals to put in a bank. */
  originals: Buffer[];
  /** Every planted copy: the page that shows it (as the crawler will report it) and the image URL. */
  planted: { page: string; media: string }[];
  requests: LoggedRequest[];
  /** Requests per `host path`. */
  count(host: string, path: string): number;
  /** Changes a page's body (HTML), or takes it down (404) when `body` is undefined. */
  replace(host: 'a' | 'b' | 'c', path: string, body: string | undefined): void;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const html =
  (body: string): Handler =>
  (_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html><body>${body}</body></html>`);
  };
const bytes =
  (type: string, body: Buffer): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': type }).end(body);
  };
const redirect =
  (location: string): Handler =>
  (_request, response) => {
    response.writeHead(302, { location }).end();
  };

/** Starts the web. `slowMs` is how long /slow takes to answer. */
export async function startSyntheticWeb(
  options: { slowMs?: number; pagesPerHost?: number } = {},
): Promise<SyntheticWeb> {
  const slowMs = options.slowMs ?? 300;
  const extraPages = options.pagesPerHost ?? 6;
  const originals = await Promise.all([1, 2, 3].map((seed) => blockImage(seed)));
  const [first, second, third] = originals as [Buffer, Buffer, Buffer];
  const copies = {
    firstSmall: await sharp(first).resize(180, 180).jpeg({ quality: 60 }).toBuffer(),
    firstLarge: await sharp(first).resize(150, 150).jpeg({ quality: 85 }).toBuffer(),
    secondWebp: await sharp(second).webp({ quality: 50 }).toBuffer(),
    thirdSmall: await sharp(third).resize(200, 200).jpeg({ quality: 70 }).toBuffer(),
  };
  const unrelated = await Promise.all([11, 12, 13, 14].map((seed) => blockImage(seed, 128)));
  const png = (buffer: Buffer) => bytes('image/png', buffer);
  const jpeg = (buffer: Buffer) => bytes('image/jpeg', buffer);

  const requests: LoggedRequest[] = [];
  const routes = {
    a: new Map<string, Handler>(),
    b: new Map<string, Handler>(),
    c: new Map<string, Handler>(),
  };
  const servers: Server[] = [];
  const origin = { a: '', b: '', c: '' };
  for (const host of ['a', 'b', 'c'] as const) {
    const server = createServer((request, response) => {
      const path = request.url ?? '/';
      requests.push({ host, path, at: Date.now() });
      const handler = routes[host].get(path);
      if (handler === undefined) response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      else handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    origin[host] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const { a, b, c } = origin;

  // Host a: the seed, robots.txt, and the awkward pages.
  routes.a.set('/robots.txt', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n');
  });
  const chain = [`<a href="/p1">page 1</a>`];
  routes.a.set(
    '/',
    html(
      `<h1>seed</h1>${chain.join(' ')}
       <a href="${b}/">b</a> <a href="${c}/#top">c</a>
       <a href="/private/secret">private</a> <a href="/missing">missing</a>
       <a href="/redirect/1">redirect</a> <a href="/slow">slow</a> <a href="/huge">huge</a> <a href="/flaky">flaky</a>
       <a href="http://10.0.0.1/">private network</a> <a href="http://[::1]:1/">loopback v6</a>
       <a href="mailto:someone@example.org">mail</a>
       <img src="/img/u0.png"> <img src="http://[::1]:1/x.png">`,
    ),
  );
  for (let index = 1; index <= extraPages; index += 1) {
    const next = index < extraPages ? `<a href="/p${index + 1}">next</a>` : '<a href="/">home</a>';
    const planted = index === 2 ? '<img srcset="/img/u1.png 1x, /img/first-small.jpg 2x">' : '';
    routes.a.set(
      `/p${index}`,
      html(`<p>page ${index}</p>${next}<a href="/p1">first</a><img src="/img/u0.png">${planted}`),
    );
  }
  routes.a.set('/private/secret', html('<img src="/img/first-large.jpg">'));
  routes.a.set('/redirect/1', redirect('/redirect/2'));
  routes.a.set('/redirect/2', redirect(`${a}/redirect/3`));
  routes.a.set('/redirect/3', redirect('/landing'));
  routes.a.set('/landing', html('<p>landed</p><img src="/img/first-large.jpg">'));
  // Linked from nowhere: a seed that moved to another host.
  routes.a.set('/moved', redirect(`${b}/`));
  routes.a.set('/slow', (_request, response) => {
    setTimeout(() => html('<p>slow</p><img src="/img/u1.png">')(_request, response), slowMs);
  });
  routes.a.set('/huge', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    const chunk = `<p>${'x'.repeat(64 * 1024)}</p>`;
    let sent = 0;
    const write = () => {
      while (sent < 200 && !response.destroyed) {
        sent += 1;
        if (!response.write(chunk)) return void response.once('drain', write);
      }
      response.end();
    };
    response.on('error', () => undefined);
    write();
  });
  let flaky = 0;
  routes.a.set('/flaky', (request, response) => {
    flaky += 1;
    if (flaky === 1) response.writeHead(503, { 'content-type': 'text/plain' }).end('try later');
    else html('<p>flaky, now fine</p><img src="/img/u2.png">')(request, response);
  });
  routes.a.set('/img/u0.png', png(unrelated[0] as Buffer));
  routes.a.set('/img/u1.png', png(unrelated[1] as Buffer));
  routes.a.set('/img/u2.png', png(unrelated[2] as Buffer));
  routes.a.set('/img/first-small.jpg', jpeg(copies.firstSmall));
  routes.a.set('/img/first-large.jpg', jpeg(copies.firstLarge));

  // Host b: images in <picture>, as a video poster, and as a link to an image file; media on host c.
  routes.b.set(
    '/',
    html(
      `<a href="/b1">b1</a> <a href="/b2">b2</a> <a href="${a}/">a</a>
       <picture><source srcset="${c}/img/second.webp 2x"><img src="/img/u3.png"></picture>`,
    ),
  );
  routes.b.set(
    '/b1',
    html(`<video poster="${c}/img/third.jpg"><source src="/v/clip.mp4"></video><a href="/b2">b2</a>`),
  );
  routes.b.set('/b2', html('<a href="/img/first-copy.jpg">a photo</a><a href="/b1">b1</a>'));
  routes.b.set('/img/u3.png', png(unrelated[3] as Buffer));
  routes.b.set('/img/first-copy.jpg', jpeg(copies.firstSmall));

  // Host c: an og:image page, and images served for host b.
  routes.c.set(
    '/',
    html(`<head><meta property="og:image" content="/img/third.jpg"></head><a href="${b}/b1">b1</a>`),
  );
  routes.c.set('/img/second.webp', bytes('image/webp', copies.secondWebp));
  routes.c.set('/img/third.jpg', jpeg(copies.thirdSmall));

  return {
    origin,
    originals,
    planted: [
      { page: `${a}/p2`, media: `${a}/img/first-small.jpg` },
      { page: `${a}/landing`, media: `${a}/img/first-large.jpg` },
      { page: `${b}/`, media: `${c}/img/second.webp` },
      { page: `${b}/b1`, media: `${c}/img/third.jpg` },
      { page: `${b}/b2`, media: `${b}/img/first-copy.jpg` },
      { page: `${c}/`, media: `${c}/img/third.jpg` },
    ],
    requests,
    count: (host, path) =>
      requests.filter((request) => request.host === host && request.path === path).length,
    replace: (host, path, body) => {
      if (body === undefined) routes[host].delete(path);
      else routes[host].set(path, html(body));
    },
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
