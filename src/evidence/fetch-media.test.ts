// Fetching media from reported URLs against a real HTTP server on 127.0.0.1: an image URL, an HTML page
// with relative, srcset and og:image references, broken and oversized images, the guard's refusal, and
// the bounds of one fetch: a deadline (on a clock the test holds) and a pixel cap read from headers.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WardenError, isRetryable } from '../errors/index.js';
import { NetworkGuard } from '../network/index.js';
import { fetchMedia } from './index.js';

async function solidImage(red: number, green: number, blue: number, size = 16): Promise<Buffer> {
  return sharp({
    create: { width: size, height: size, channels: 3, background: { r: red, g: green, b: blue } },
  })
    .png()
    .toBuffer();
}

interface Route {
  status?: number;
  type?: string;
  body: string | Buffer;
  location?: string;
}

let server: Server;
let origin: string;
const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
const routes = new Map<string, Route>();
const images: Record<string, Buffer> = {};
const held: ServerResponse[] = [];
const limits = { timeoutMs: 5000, deadlineMs: 60_000, maxBytes: 64 * 1024, maxImages: 10, maxPixels: 1000 };
const guard = new NetworkGuard({ allow: ['127.0.0.1'] });

beforeAll(async () => {
  images.red = await solidImage(255, 0, 0);
  images.green = await solidImage(0, 255, 0);
  images.blue = await solidImage(0, 0, 255);
  images.small = await solidImage(9, 9, 9);
  images.social = await solidImage(200, 100, 0);
  images.wide = await sharp({
    create: { width: 100, height: 20, channels: 3, background: { r: 1, g: 2, b: 3 } },
  })
    .png()
    .toBuffer();
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ path, headers: request.headers });
    // Answered only when the test says so.
    if (path.startsWith('/held/')) {
      held.push(response);
      return;
    }
    const route = routes.get(path.split('?')[0] ?? '/');
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    const headers: Record<string, string> = {};
    if (route.type !== undefined) headers['content-type'] = route.type;
    if (route.location !== undefined) headers.location = route.location;
    response.writeHead(route.status ?? 200, headers).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  routes.set('/photo.png', { type: 'image/png', body: images.red });
  routes.set('/untyped', { body: images.green });
  routes.set('/moved', { status: 302, location: '/photo.png', body: '' });
  routes.set('/big.png', { type: 'image/png', body: Buffer.alloc(limits.maxBytes + 1, 1) });
  routes.set('/img/a.png', { type: 'image/png', body: images.red });
  routes.set('/img/b.png', { type: 'image/png', body: images.small });
  routes.set('/img/b-large.png', { type: 'image/png', body: images.green });
  routes.set('/social.png', { type: 'image/png', body: images.social });
  routes.set('/blue.png', { type: 'application/octet-stream', body: images.blue });
  routes.set('/not-an-image.png', { type: 'text/html', body: '<p>hello</p>' });
  routes.set('/page.html', {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html><head>
      <meta property="og:image" content="${origin}/social.png">
      <title>A page</title></head><body>
      <img src="img/a.png#top" alt="relative">
      <img src="/img/b.png" srcset="/img/b-small.png 320w, /img/b-large.png 1200w, /img/b.png 640w">
      <picture><source srcset="blue.png 2x, img/a.png 1x"><img src="img/a.png"></picture>
      <img src="missing.png">
      <img src="data:image/png;base64,iVBORw0KGgo=">
      <img src="/big.png">
      <img src="/not-an-image.png">
      </body></html>`,
  });
  routes.set('/wide.png', { type: 'image/png', body: images.wide });
  routes.set('/wide-page.html', {
    type: 'text/html',
    body: '<img src="/img/a.png"><img src="/wide.png">',
  });
  routes.set('/slow.html', {
    type: 'text/html',
    body: ['/img/a.png', '/img/b.png', ...[1, 2, 3, 4, 5].map((n) => `/held/${n}.png`)]
      .map((src) => `<img src="${src}">`)
      .join(''),
  });
  routes.set('/doc.pdf', { type: 'application/pdf', body: '%PDF-1.4' });
  routes.set('/gone', { status: 404, type: 'text/plain', body: 'gone' });
  routes.set('/broken', { status: 503, type: 'text/plain', body: 'try later' });
  routes.set('/plain.html', {
    type: 'text/html',
    body: '<html><body><p>No pictures here.</p></body></html>',
  });
  routes.set('/many.html', {
    type: 'text/html',
    body: `<html><body>${['/img/a.png', '/img/b.png', '/social.png', '/blue.png'].map((src) => `<img src="${src}">`).join('')}</body></html>`,
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await guard.close();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
}

describe('fetchMedia', () => {
  it('fetches an image URL as one medium, with a plain User-Agent', async () => {
    const result = await fetchMedia(guard, `${origin}/photo.png`, limits);
    expect(result).toEqual({
      finalUrl: `${origin}/photo.png`,
      hostAddress: '127.0.0.1',
      media: [{ url: `${origin}/photo.png`, bytes: images.red }],
      problems: [],
    });
    expect(requests.at(-1)?.headers['user-agent']).toBe('Warden-Evidence/1.0');
  });

  it('follows redirects and recognises images served without a type', async () => {
    const moved = await fetchMedia(guard, `${origin}/moved`, limits);
    expect(moved.finalUrl).toBe(`${origin}/photo.png`);
    expect(moved.media).toHaveLength(1);
    const untyped = await fetchMedia(guard, `${origin}/untyped`, limits);
    expect(untyped.media).toEqual([{ url: `${origin}/untyped`, bytes: images.green }]);
  });

  it('fetches the images of an HTML page: relative, srcset (largest), picture, og:image, once each', async () => {
    const result = await fetchMedia(guard, `${origin}/page.html`, limits);
    expect(result.finalUrl).toBe(`${origin}/page.html`);
    expect(result.hostAddress).toBe('127.0.0.1');
    expect(result.media.map((medium) => medium.url)).toEqual([
      `${origin}/social.png`,
      `${origin}/img/a.png`,
      `${origin}/img/b.png`,
      `${origin}/img/b-large.png`,
      `${origin}/blue.png`,
    ]);
    expect(result.media[3]?.bytes).toEqual(images.green);
    expect(result.media[4]?.bytes).toEqual(images.blue);
    // The smaller srcset candidate was never asked for.
    expect(requests.some((request) => request.path === '/img/b-small.png')).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/1 media item is embedded in the page as data: URLs/),
        expect.stringMatching(new RegExp(`${origin}/missing\\.png could not be fetched: HTTP status 404`)),
        expect.stringMatching(/big\.png.*larger than 65536 bytes/),
        expect.stringMatching(/not-an-image\.png is not an image \(its content type is text\/html\)/),
      ]),
    );
    expect(result.problems).toHaveLength(4);
  });

  it('fetches at most maxImages images from a page and says so', async () => {
    const result = await fetchMedia(guard, `${origin}/many.html`, { ...limits, maxImages: 2 });
    expect(result.media.map((medium) => medium.url)).toEqual([`${origin}/img/a.png`, `${origin}/img/b.png`]);
    expect(result.problems).toEqual([expect.stringMatching(/shows 4 images; only the first 2 were fetched/)]);
  });

  it('notes pages without images and answers that are neither images nor pages', async () => {
    const plain = await fetchMedia(guard, `${origin}/plain.html`, limits);
    expect(plain.media).toEqual([]);
    expect(plain.problems).toEqual([expect.stringMatching(/No images were found/)]);
    const pdf = await fetchMedia(guard, `${origin}/doc.pdf`, limits);
    expect(pdf.media).toEqual([]);
    expect(pdf.problems).toEqual([
      expect.stringMatching(/neither an image nor an HTML page \(content type application\/pdf\)/),
    ]);
  });

  it('throws when the URL itself fails: too large, refused, missing, or a server error', async () => {
    const tooBig = await rejection(fetchMedia(guard, `${origin}/big.png`, limits));
    expect(tooBig).toBeInstanceOf(WardenError);
    expect(tooBig).toMatchObject({ code: 'too_large' });

    // A missing page stays missing; a server error may pass: the error says which, for the queue.
    const gone = await rejection(fetchMedia(guard, `${origin}/gone`, limits));
    expect(gone).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/HTTP status 404/) });
    expect(isRetryable(gone)).toBe(false);

    const broken = await rejection(fetchMedia(guard, `${origin}/broken`, limits));
    expect(broken).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/HTTP status 503/) });
    expect(isRetryable(broken)).toBe(true);

    const strict = new NetworkGuard();
    try {
      const refused = await rejection(fetchMedia(strict, `${origin}/photo.png`, limits));
      expect(refused).toBeInstanceOf(WardenError);
      expect(refused).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/loopback/) });
    } finally {
      await strict.close();
    }
  });

  it('reports images on an allowed page that point to a refused host as problems', async () => {
    routes.set('/elsewhere.html', {
      type: 'text/html',
      body: '<img src="/img/a.png"><img src="http://10.0.0.1/secret.png">',
    });
    const result = await fetchMedia(guard, `${origin}/elsewhere.html`, limits);
    expect(result.media.map((medium) => medium.url)).toEqual([`${origin}/img/a.png`]);
    expect(result.problems).toEqual([
      expect.stringMatching(/http:\/\/10\.0\.0\.1\/secret\.png was not fetched: Refused to connect/),
    ]);
  });

  it('leaves out images with more pixels than the cap, by their header, and says which', async () => {
    const direct = await fetchMedia(guard, `${origin}/wide.png`, limits);
    expect(direct.media).toEqual([]);
    expect(direct.problems).toEqual([
      `${origin}/wide.png was left out. The image is 100x20 (2000 pixels), over the limit of 1000 pixels (maxPixels). WARDEN_FETCH_MAX_PIXELS sets this limit for fetched media.`,
    ]);
    const page = await fetchMedia(guard, `${origin}/wide-page.html`, limits);
    expect(page.media.map((medium) => medium.url)).toEqual([`${origin}/img/a.png`]);
    expect(page.problems).toEqual([
      expect.stringMatching(/wide\.png was left out\. The image is 100x20 \(2000 pixels\)/),
    ]);
    // The same image under a cap it fits is kept.
    const roomy = await fetchMedia(guard, `${origin}/wide.png`, { ...limits, maxPixels: 2000 });
    expect(roomy.media).toEqual([{ url: `${origin}/wide.png`, bytes: images.wide }]);
  });

  it('keeps what arrived when the deadline passes and says how many images it left out', async () => {
    const clock = new AbortController();
    const deadlines: number[] = [];
    const fetching = fetchMedia(guard, `${origin}/slow.html`, limits, undefined, (ms) => {
      deadlines.push(ms);
      return clock.signal;
    });
    // Four at a time: the two quick images, then four of the five held ones; the fifth never starts.
    await vi.waitFor(() => expect(held).toHaveLength(4), { timeout: 10_000, interval: 10 });
    clock.abort();
    const result = await fetching;
    expect(deadlines).toEqual([limits.deadlineMs]);
    expect(result.media.map((medium) => medium.url)).toEqual([`${origin}/img/a.png`, `${origin}/img/b.png`]);
    expect(result.problems).toEqual([
      "5 of the page's images were left out: the fetch's deadline of 60000 ms (WARDEN_FETCH_DEADLINE_MS) passed before they arrived.",
    ]);
    expect(requests.filter((request) => request.path.startsWith('/held/'))).toHaveLength(4);
    held.splice(0).forEach((response) => response.destroy());
  });

  it('fails, to be tried again, when the page itself has not arrived by the deadline', async () => {
    const clock = new AbortController();
    const fetching = rejection(
      fetchMedia(guard, `${origin}/held/page.html`, limits, undefined, () => clock.signal),
    );
    await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 10_000, interval: 10 });
    clock.abort();
    const error = await fetching;
    expect(error).not.toBeInstanceOf(WardenError);
    expect((error as Error).message).toBe(
      `${origin}/held/page.html was not fetched: the fetch's deadline of 60000 ms (WARDEN_FETCH_DEADLINE_MS) passed before it answered in full.`,
    );
    held.splice(0).forEach((response) => response.destroy());
  });

  it('gives up, keeping nothing, when the caller aborts (its job was taken over)', async () => {
    const caller = new AbortController();
    const fetching = rejection(fetchMedia(guard, `${origin}/slow.html`, limits, caller.signal));
    await vi.waitFor(() => expect(held).toHaveLength(4), { timeout: 10_000, interval: 10 });
    caller.abort(new Error('lease lost'));
    expect(await fetching).toMatchObject({ message: 'lease lost' });
    held.splice(0).forEach((response) => response.destroy());
  });
});
