// A synthetic web of thousands of pages on 127.0.0.1, for the crawler's full-size test: many hosts (one
// port each), pages linking within their host and across hosts, a pool of generated images shown
// everywhere, and planted copies of bank images (resized, re-compressed or cropped) on a few pages of
// each host. Each host also has a robots.txt that disallows /private/ (where a copy is planted that must
// never be found), broken links, a redirect chain, a slow page, a huge page, and links to addresses the
// network guard must refuse. Every request is logged with its host, path and time.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { blockImage } from './synthetic-web.js';
import type { LoggedRequest } from './synthetic-web.js';

export interface LargeWeb {
  origins: string[];
  originals: Buffer[];
  /** Every planted copy the crawler may reach: the page that shows it and the image URL. */
  planted: { page: string; media: string }[];
  /** Copies behind robots.txt: never to be requested. */
  forbiddenByRobots: string[];
  /** Links to addresses the guard refuses, as written on the pages. */
  forbiddenAddresses: string[];
  pages: number;
  requests: (LoggedRequest & { host: string })[];
  /** The most requests each host had in hand at once (from arrival to the end of the response). */
  mostAtOnce: number[];
  close(): Promise<void>;
}

export interface LargeWebOptions {
  hosts: number;
  pagesPerHost: number;
  /** Distinct unrelated images shown across the web. */
  imagePool?: number;
}

const forbiddenAddresses = [
  'http://10.1.2.3/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]:9/',
  'http://0x7f000001:9/',
  'http://192.168.0.1/admin',
  'http://100.64.0.1/',
];

/** Starts the web; `close` stops every server. */
export async function startLargeWeb(options: LargeWebOptions): Promise<LargeWeb> {
  const originals = await Promise.all([101, 102, 103, 104].map((seed) => blockImage(seed)));
  const pool = await Promise.all(
    Array.from({ length: options.imagePool ?? 40 }, (_, index) => blockImage(1000 + index, 96)),
  );
  // Each kind of copy: resized and re-compressed, its borders cropped (PDQ tolerates a trim of a few
  // per cent, not a reframing), converted to WebP.
  const copyKinds = [
    (image: Buffer) => sharp(image).resize(200, 200).jpeg({ quality: 70 }).toBuffer(),
    (image: Buffer) =>
      sharp(image).extract({ left: 2, top: 2, width: 252, height: 252 }).jpeg({ quality: 85 }).toBuffer(),
    (image: Buffer) => sharp(image).webp({ quality: 60 }).toBuffer(),
  ];
  const requests: LargeWeb['requests'] = [];
  const atOnce = new Array<number>(options.hosts).fill(0);
  const mostAtOnce = new Array<number>(options.hosts).fill(0);
  const servers: Server[] = [];
  const routes: Map<string, (response: ServerResponse) => void>[] = [];
  for (let host = 0; host < options.hosts; host += 1) {
    const table = new Map<string, (response: ServerResponse) => void>();
    routes.push(table);
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const path = request.url ?? '/';
      requests.push({ host: String(host), path, at: Date.now() });
      atOnce[host] = (atOnce[host] ?? 0) + 1;
      mostAtOnce[host] = Math.max(mostAtOnce[host] ?? 0, atOnce[host] ?? 0);
      response.once('close', () => (atOnce[host] = (atOnce[host] ?? 1) - 1));
      const handler = table.get(path);
      if (handler === undefined) response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      else handler(response);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const origins = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);

  const planted: LargeWeb['planted'] = [];
  const forbiddenByRobots: string[] = [];
  const page = (body: string) => (response: ServerResponse) => {
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html><body>${body}</body></html>`);
  };
  const file = (type: string, bytes: Buffer) => (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': type }).end(bytes);
  };
  const { pagesPerHost } = options;
  for (let host = 0; host < options.hosts; host += 1) {
    const table = routes[host] as Map<string, (response: ServerResponse) => void>;
    const origin = origins[host] as string;
    const next = origins[(host + 1) % origins.length] as string;
    table.set('/robots.txt', (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n');
    });
    for (let index = 0; index < pool.length; index += 1) {
      table.set(`/img/pool-${index}.png`, file('image/png', pool[index] as Buffer));
    }
    // Planted copies: on a page deep in the host, one of each kind, and one behind robots.txt.
    const original = originals[host % originals.length] as Buffer;
    const copies = await Promise.all(copyKinds.map((make) => make(original)));
    const plantedOn = new Map<number, string>();
    copies.forEach((copy, kind) => {
      const path = `/img/copy-${kind}.${kind === 2 ? 'webp' : 'jpg'}`;
      table.set(path, file(kind === 2 ? 'image/webp' : 'image/jpeg', copy));
      const at = Math.floor(((kind + 1) * pagesPerHost) / (copies.length + 1));
      plantedOn.set(at, path);
      planted.push({ page: `${origin}/p/${at}`, media: `${origin}${path}` });
    });
    table.set('/private/page', page('<img src="/private/copy.jpg">'));
    table.set('/private/copy.jpg', file('image/jpeg', copies[0] as Buffer));
    forbiddenByRobots.push(`${origin}/private/page`, `${origin}/private/copy.jpg`);
    table.set('/redirect/1', (response) => response.writeHead(301, { location: '/redirect/2' }).end());
    table.set('/redirect/2', (response) => response.writeHead(302, { location: `${origin}/p/1` }).end());
    table.set('/slow', (response) => setTimeout(() => page('<p>slow</p>')(response), 200));
    table.set('/huge', (response) => {
      response.on('error', () => undefined);
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'x'.repeat(2 * 1024 * 1024)}</p>`);
    });

    for (let index = 0; index < pagesPerHost; index += 1) {
      const links = [
        `/p/${(index + 1) % pagesPerHost}`,
        `/p/${(index * 7 + 3) % pagesPerHost}`,
        `/p/${(index * 13 + 5) % pagesPerHost}`,
      ];
      if (index % 50 === 0) links.push(`${next}/p/${index}`, '/missing', '/private/page');
      if (index === 0) links.push('/redirect/1', '/slow', '/huge', ...forbiddenAddresses);
      const images = [0, 1, 2].map((offset) => `/img/pool-${(index + offset * 11) % pool.length}.png`);
      const copy = plantedOn.get(index);
      table.set(
        `/p/${index}`,
        page(
          `<h1>page ${index}</h1>${links.map((link) => `<a href="${link}">link</a>`).join(' ')}` +
            `${images.map((image) => `<img src="${image}">`).join('')}${copy === undefined ? '' : `<img src="${copy}">`}`,
        ),
      );
    }
    table.set('/', page('<a href="/p/0">start</a>'));
  }

  return {
    origins,
    originals,
    planted,
    forbiddenByRobots,
    forbiddenAddresses,
    pages: options.hosts * (pagesPerHost + 1),
    requests,
    mostAtOnce,
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
