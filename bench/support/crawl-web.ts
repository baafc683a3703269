// The synthetic web of the crawler benchmark: `hosts` HTTP servers on 127.0.0.1 (one port each), each
// with `pagesPerHost` HTML pages of about 12 KB (a header, a navigation bar, paragraphs of prose, links to
// related pages on the same host and two on other hosts) and five images on every page. Everything is
// generated at start-up and served from memory. It runs in a child process (crawl-web-child.ts), so the
// crawler under test keeps a core of its own; the child says where its hosts are on stdout as one JSON
// line, answers `stats` on stdin with its request counts and CPU time, and exits when stdin closes.
//
// The five images of a page, chosen so that de-duplication is as on real sites:
// - the host's logo, the same URL on every page of the host (fetched once per host);
// - two "shared" images from a set of 16 per host, whose bytes are the same on every host (one download
//   per host and URL, one hash per set: the evidence store knows the bytes by their SHA-256);
// - two images of the page's own, photo-like JPEGs of 256 to 512 px drawn from a pool of a few hundred,
//   each made distinct by a JPEG comment naming the page (so every one is downloaded and hashed).
// A few pages show a planted copy (resized, trimmed, re-compressed or converted) of a bank original
// instead of their second own image: the benchmark's recall is the share of those the crawler reports.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { photoLike } from './images.js';

export interface CrawlWebOptions {
  hosts: number;
  pagesPerHost: number;
  /** Distinct photo-like images behind the pages' own images. */
  imagePool: number;
  /** Planted copies of bank originals, spread over the hosts. */
  planted: number;
}

/** What the child says when it is ready (images as base64, to cross the pipe as JSON). */
interface ReadyMessage {
  type: 'ready';
  origins: string[];
  planted: PlantedCopy[];
  originals: string[];
}

export interface PlantedCopy {
  /** The page that shows the copy, as the crawler reports it. */
  page: string;
  media: string;
  /** Which bank original it copies, and how. */
  original: number;
  kind: string;
}

/** Requests served since start-up, and the child's CPU time. */
export interface CrawlWebStats {
  pages: number;
  images: number;
  robots: number;
  missing: number;
  bytes: number;
  cpuMs: number;
}

export interface CrawlWeb {
  options: CrawlWebOptions;
  origins: string[];
  /** Every page of the web, host by host. */
  pages: string[];
  planted: PlantedCopy[];
  /** The bank originals the planted copies were made from. */
  originals: Buffer[];
  stats(): Promise<CrawlWebStats>;
  close(): Promise<void>;
}

/** Images of the pages' own drawn from the pool, and shared images per host. */
const ownImagesPerPage = 2;
const sharedImages = 16;
const sharedImagesPerPage = 2;
const sections = 5;
const paragraphsPerPage = 11;

/** A page's URL: the home page is page 0. */
export function pageUrl(origin: string, index: number): string {
  return index === 0 ? `${origin}/` : `${origin}/p/${index}`;
}

/** A small xorshift generator: the same web on every run. */
function random(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** Random colour blocks, smoothed: distinct seeds give unrelated PDQ hashes that survive re-encoding. */
function blockImage(seed: number, width: number, height: number): sharp.Sharp {
  const next = random(seed);
  const columns = 16;
  const rows = Math.max(4, Math.round((columns * height) / width));
  const data = Buffer.alloc(columns * rows * 3);
  for (let index = 0; index < data.length; index += 1) data[index] = Math.floor(next() * 256);
  return sharp(data, { raw: { width: columns, height: rows, channels: 3 } }).resize(width, height, {
    kernel: 'cubic',
  });
}

/**
 * The same JPEG with a comment segment after its JFIF header: other bytes (another SHA-256), the same
 * pixels. Costs the server a copy, not an encode.
 */
function withComment(jpeg: Buffer, text: string): Buffer {
  const comment = Buffer.from(text);
  let at = 2;
  // Keep the APP0 (JFIF) segment first, where decoders expect it.
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at = 4 + jpeg.readUInt16BE(4);
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(comment.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, at), header, comment, jpeg.subarray(at)]);
}

const words = (
  'the of and to in is it you that was for on are with as his they at be this from have or by one had not ' +
  'but what all were when we there can an your which their said if do will each about how up out them then ' +
  'she many some so these would other into has more her two like him see time could no make than first ' +
  'been its who now people my made over did down only way find use may water long little very after words ' +
  'called just where most know get through back much before go good new write our used me man too any day ' +
  'same right look think also around another came come work three word must because does part even place ' +
  'well such here take why things help put years different away again off went old number great tell men ' +
  'say small every found still between name should home big give air line set own under read last never us ' +
  'left end along while might next sound below saw something thought both few those always looked show large'
).split(' ');

function prose(next: () => number, count: number): string {
  const out: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const word = words[Math.floor(next() * next() * words.length)] ?? 'the';
    out.push(index === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word);
    if (index > 0 && index % 17 === 0) out.push(next() < 0.5 ? 'and,' : 'but');
  }
  return `${out.join(' ')}.`;
}

interface HostImages {
  logo: Buffer;
  copies: Map<string, Buffer>;
}

interface Site {
  pages: Buffer[];
  images: HostImages;
}

function pageHtml(
  options: CrawlWebOptions,
  origins: readonly string[],
  host: number,
  index: number,
  planted: string | undefined,
  pool: readonly { width: number; height: number }[],
): Buffer {
  const pages = options.pagesPerHost;
  const next = random(host * 100_003 + index + 1);
  const title = prose(next, 6).slice(0, -1);
  const link = (target: number) => (target === 0 ? '/' : `/p/${target}`);
  const nav = Array.from({ length: sections }, (_, section) =>
    Math.floor((pages * (section + 1)) / (sections + 1)),
  )
    .map((target, section) => `<li><a href="${link(target)}">Section ${section + 1}</a></li>`)
    .join('');
  const related = [index + 1, index * 7 + 3, index * 13 + 5, index * 31 + 11].map((value) => value % pages);
  const elsewhere = [
    pageUrl(origins[(host + 1) % origins.length] ?? '', index),
    pageUrl(origins[(host * 7 + 3) % origins.length] ?? '', (index * 3 + 1) % pages),
  ];
  const figure = (src: string, size: { width: number; height: number }) =>
    `<figure><img src="${src}" alt="${prose(next, 4).slice(0, -1)}" width="${size.width}" height="${size.height}" loading="lazy"><figcaption>${prose(next, 9)}</figcaption></figure>`;
  const images = [
    ...Array.from({ length: sharedImagesPerPage }, (_, k) => {
      const shared = (index * 5 + k * 3) % sharedImages;
      return figure(`/img/shared/${shared}.jpg`, pool[shared % pool.length] ?? { width: 0, height: 0 });
    }),
    ...Array.from({ length: ownImagesPerPage }, (_, k) => {
      const source = ownImageSource(options, host, index, k);
      const src = k === ownImagesPerPage - 1 && planted !== undefined ? planted : `/img/p/${index}-${k}.jpg`;
      return figure(src, pool[source] ?? { width: 0, height: 0 });
    }),
  ];
  const body: string[] = [];
  for (let paragraph = 0; paragraph < paragraphsPerPage; paragraph += 1) {
    if (paragraph % 3 === 1) body.push(images[(paragraph - 1) / 3] ?? '');
    body.push(`<p>${prose(next, 130 + Math.floor(next() * 80))}</p>`);
  }
  const html =
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title} · Site ${host}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="description" content="${prose(next, 20).slice(0, -1)}">` +
    `<link rel="stylesheet" href="/static/site.css"><script src="/static/site.js" defer></script></head>\n` +
    `<body><header class="site"><a href="/" class="brand"><img src="/img/logo.png" alt="Site ${host}" width="192" height="64"></a>` +
    `<nav><ul><li><a href="/">Home</a></li>${nav}</ul></nav></header>\n` +
    `<main><article><h1>${title}</h1>\n${body.join('\n')}</article>\n` +
    `<aside><h2>Related</h2><ul>${related.map((target) => `<li><a href="${link(target)}">${prose(next, 5).slice(0, -1)}</a></li>`).join('')}</ul></aside></main>\n` +
    `<footer><p>Partners: ${elsewhere.map((url) => `<a href="${url}">${prose(next, 3).slice(0, -1)}</a>`).join(' · ')}</p>` +
    `<p>© 2025 Site ${host}. ${prose(next, 12)}</p></footer></body></html>\n`;
  return Buffer.from(html);
}

/** Which pool image a page's own image shows. */
function ownImageSource(options: CrawlWebOptions, host: number, index: number, k: number): number {
  return (((host * options.pagesPerHost + index) * ownImagesPerPage + k) * 7919) % options.imagePool;
}

const copyKinds: { kind: string; extension: string; make: (original: Buffer) => Promise<Buffer> }[] = [
  {
    kind: 'resized to 300 px, JPEG q75',
    extension: 'jpg',
    make: (original) => sharp(original).resize(300).jpeg({ quality: 75 }).toBuffer(),
  },
  {
    kind: '2 px trimmed, JPEG q85',
    extension: 'jpg',
    make: (original) =>
      sharp(original).extract({ left: 2, top: 2, width: 380, height: 316 }).jpeg({ quality: 85 }).toBuffer(),
  },
  {
    kind: 'WebP q60',
    extension: 'webp',
    make: (original) => sharp(original).webp({ quality: 60 }).toBuffer(),
  },
  {
    kind: 'enlarged to 512 px, PNG',
    extension: 'png',
    make: (original) => sharp(original).resize(512).png().toBuffer(),
  },
];
const contentTypes: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Builds the web and starts its servers, in this process (the child's side). */
export async function serveCrawlWeb(options: CrawlWebOptions): Promise<{
  ready: ReadyMessage;
  stats: () => CrawlWebStats;
  close: () => Promise<void>;
}> {
  const { hosts, pagesPerHost } = options;
  const poolSizes = Array.from({ length: options.imagePool }, (_, seed) => ({
    width: 256 + 64 * (seed % 5),
    height: 256 + 64 * ((seed * 3) % 5),
  }));
  const pool = await Promise.all(
    poolSizes.map(({ width, height }, seed) =>
      sharp(photoLike(width, height, seed), { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
  const originals = await Promise.all(
    [0, 1, 2, 3].map((index) =>
      blockImage(9000 + index, 384, 320)
        .png()
        .toBuffer(),
    ),
  );

  const servers: Server[] = [];
  for (let host = 0; host < hosts; host += 1) {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const origins = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);

  const sites: Site[] = [];
  const planted: PlantedCopy[] = [];
  const plantedOn = new Map<string, string>();
  for (let copy = 0; copy < options.planted; copy += 1) {
    const host = Math.floor((copy * hosts) / options.planted);
    const index = 1 + ((37 * copy + 101) % (pagesPerHost - 1));
    const kind = copyKinds[copy % copyKinds.length] ?? copyKinds[0];
    const path = `/img/copy-${copy}.${kind?.extension ?? 'jpg'}`;
    plantedOn.set(`${host} ${index}`, path);
    const origin = origins[host] ?? '';
    planted.push({
      page: pageUrl(origin, index),
      media: `${origin}${path}`,
      original: copy % originals.length,
      kind: kind?.kind ?? '',
    });
  }
  for (let host = 0; host < hosts; host += 1) {
    const copies = new Map<string, Buffer>();
    for (const [copy, entry] of planted.entries()) {
      if (entry.media.startsWith(`${origins[host] ?? ''}/`)) {
        const kind = copyKinds[copy % copyKinds.length] ?? copyKinds[0];
        const original = originals[entry.original] ?? Buffer.alloc(0);
        copies.set(new URL(entry.media).pathname, (await kind?.make(original)) ?? Buffer.alloc(0));
      }
    }
    const logo = await blockImage(500 + host, 192, 64)
      .png({ palette: true })
      .toBuffer();
    const pages = Array.from({ length: pagesPerHost }, (_, index) =>
      pageHtml(options, origins, host, index, plantedOn.get(`${host} ${index}`), poolSizes),
    );
    sites.push({ pages, images: { logo, copies } });
  }

  const counts: Omit<CrawlWebStats, 'cpuMs'> = { pages: 0, images: 0, robots: 0, missing: 0, bytes: 0 };
  const send = (response: ServerResponse, type: string, body: Buffer) => {
    counts.bytes += body.length;
    response.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
  };
  const robots = Buffer.from('User-agent: *\nAllow: /\n');
  for (const [host, server] of servers.entries()) {
    const site = sites[host] as Site;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const path = request.url ?? '/';
      const page = path === '/' ? 0 : path.startsWith('/p/') ? Number(path.slice(3)) : -1;
      const html = Number.isInteger(page) ? site.pages[page] : undefined;
      if (html !== undefined) {
        counts.pages += 1;
        return send(response, 'text/html; charset=utf-8', html);
      }
      const image = imageAt(options, host, path, site.images, pool);
      if (image !== undefined) {
        counts.images += 1;
        return send(response, image.type, image.bytes);
      }
      if (path === '/robots.txt') {
        counts.robots += 1;
        return send(response, 'text/plain', robots);
      }
      counts.missing += 1;
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    });
  }

  return {
    ready: {
      type: 'ready',
      origins,
      planted,
      originals: originals.map((original) => original.toString('base64')),
    },
    stats: () => {
      const { user, system } = process.cpuUsage();
      return { ...counts, cpuMs: (user + system) / 1000 };
    },
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

function imageAt(
  options: CrawlWebOptions,
  host: number,
  path: string,
  images: HostImages,
  pool: readonly Buffer[],
): { type: string; bytes: Buffer } | undefined {
  if (path === '/img/logo.png') return { type: 'image/png', bytes: images.logo };
  const shared = /^\/img\/shared\/(\d+)\.jpg$/.exec(path);
  if (shared !== null) {
    const bytes = Number(shared[1]) < sharedImages ? pool[Number(shared[1]) % pool.length] : undefined;
    return bytes === undefined ? undefined : { type: 'image/jpeg', bytes };
  }
  const own = /^\/img\/p\/(\d+)-(\d+)\.jpg$/.exec(path);
  if (own !== null) {
    const [index, k] = [Number(own[1]), Number(own[2])];
    if (index >= options.pagesPerHost || k >= ownImagesPerPage) return undefined;
    const base = pool[ownImageSource(options, host, index, k)];
    return base === undefined
      ? undefined
      : { type: 'image/jpeg', bytes: withComment(base, `warden bench ${host}/${index}/${k}`) };
  }
  const copy = images.copies.get(path);
  const extension = path.slice(path.lastIndexOf('.') + 1);
  return copy === undefined ? undefined : { type: contentTypes[extension] ?? 'image/jpeg', bytes: copy };
}

/**
 * Starts the web in a child process (through tsx, like the bench itself) and waits until it serves.
 * `close` ends the child; so does the end of this process, which closes the child's stdin.
 */
export async function startCrawlWeb(options: CrawlWebOptions): Promise<CrawlWeb> {
  const entry = new URL('./crawl-web-child.ts', import.meta.url);
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), entry.pathname, JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next === undefined) early.push(line);
    else next(line);
  });
  const exited = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code) => reject(new Error(`the synthetic web's process exited (${code})`))),
  );
  exited.catch(() => undefined);
  const nextLine = () =>
    Promise.race([
      new Promise<string>((resolve) => {
        const line = early.shift();
        if (line === undefined) waiting.push(resolve);
        else resolve(line);
      }),
      exited,
    ]);

  const ready = JSON.parse(await nextLine()) as ReadyMessage;
  const pages = ready.origins.flatMap((origin) =>
    Array.from({ length: options.pagesPerHost }, (_, index) => pageUrl(origin, index)),
  );
  let queue = Promise.resolve();
  return {
    options,
    origins: ready.origins,
    pages,
    planted: ready.planted,
    originals: ready.originals.map((original) => Buffer.from(original, 'base64')),
    stats: () => {
      // One question at a time: answers come back in order on the one pipe.
      const answer = queue.then(async () => {
        child.stdin.write('stats\n');
        return JSON.parse(await nextLine()) as CrawlWebStats;
      });
      queue = answer.then(
        () => undefined,
        () => undefined,
      );
      return answer;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await gone;
    },
  };
}
