// Fetching the media a reported URL points at, under the network guard: the image itself, or the images
// an HTML page shows. A page that cannot be fetched is an error; an image on it that cannot be fetched is
// only noted, so that one broken link does not lose the rest of the evidence.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { WardenError, isWardenError } from '../errors/index.js';
import { retryableStatus } from '../network/index.js';
import type { GuardedResponse, NetworkGuard } from '../network/index.js';
import { imagesOnPage } from './page-images.js';
import { isImageMime, sniffMime } from './sniff.js';

export interface FetchMediaLimits {
  /** For each request (the page, and each image on it), redirects included. */
  timeoutMs: number;
  /** Largest response accepted, for the page and for each image. */
  maxBytes: number;
  /** Images fetched from one HTML page at most. */
  maxImages: number;
}

export interface FetchedMedia {
  /** Where the bytes came from (after redirects). */
  url: string;
  bytes: Uint8Array;
}

export interface FetchMediaResult {
  /** The URL that answered, after redirects. */
  finalUrl: string;
  /** An address the final URL's host resolves to ('' if it no longer resolves). */
  hostAddress: string;
  media: FetchedMedia[];
  /** What could not be fetched or was skipped, said for a person. */
  problems: string[];
}

const userAgent = 'Warden-Evidence/1.0';
const maxRedirects = 5;
/** Only this much of an HTML page is searched for images. */
const maxHtmlBytes = 2 * 1024 * 1024;
/** Images fetched at once from one page. */
const concurrency = 4;
const htmlTypes = new Set(['text/html', 'application/xhtml+xml']);
// Types servers give to anything; such bodies are sniffed rather than trusted.
const vagueTypes = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'text/plain']);

/**
 * Fetches the media at a URL through the guard: an image URL gives that image; an HTML page gives the
 * images it shows (img src and srcset, og:image), up to `maxImages`, each fetched through the same guard.
 * Images that fail become `problems`. If the URL itself cannot be fetched this throws: a WardenError for
 * what will not change (a refused address, a 404, a body over the limit), a plain Error for network
 * failures and server errors, which may pass on another try.
 */
export async function fetchMedia(
  guard: NetworkGuard,
  url: string,
  limits: FetchMediaLimits,
  signal?: AbortSignal,
): Promise<FetchMediaResult> {
  const request = {
    headers: { 'User-Agent': userAgent, Accept: 'image/*, text/html;q=0.9, */*;q=0.5' },
    signal,
  };
  const fetchLimits = { timeoutMs: limits.timeoutMs, maxBytes: limits.maxBytes, maxRedirects };
  const page = await guard.fetch(url, request, fetchLimits);
  const finalUrl = page.url;
  const problems: string[] = [];
  const media: FetchedMedia[] = [];
  if (page.status < 200 || page.status > 299) {
    await page.discardBody();
    const message = `${finalUrl} answered with HTTP status ${page.status}, so there was nothing to fetch.`;
    throw new WardenError(
      'unavailable',
      message,
      { status: page.status },
      { retryable: retryableStatus(page.status) },
    );
  }

  const type = mediaType(page);
  if (type.startsWith('image/') || vagueTypes.has(type) || htmlTypes.has(type)) {
    const body = await page.readBody();
    const sniffed = sniffMime(body);
    if (type.startsWith('image/') || isImageMime(sniffed)) {
      media.push({ url: finalUrl, bytes: body });
    } else if (htmlTypes.has(type) || sniffed === 'text/html') {
      const found = imagesOnPage(decodeHtml(body.subarray(0, maxHtmlBytes), page), finalUrl);
      problems.push(...found.problems);
      if (found.urls.length === 0) problems.push(`No images were found on the page ${finalUrl}.`);
      if (found.urls.length > limits.maxImages) {
        problems.push(
          `The page shows ${found.urls.length} images; only the first ${limits.maxImages} were fetched (the limit per page).`,
        );
      }
      const fetched = await mapLimited(found.urls.slice(0, limits.maxImages), concurrency, (imageUrl) =>
        fetchImage(guard, imageUrl, request, fetchLimits),
      );
      for (const outcome of fetched) {
        if (typeof outcome === 'string') problems.push(outcome);
        else media.push(outcome);
      }
    } else {
      problems.push(notMedia(finalUrl, type));
    }
  } else {
    await page.discardBody();
    problems.push(notMedia(finalUrl, type));
  }
  return { finalUrl, hostAddress: await hostAddressOf(finalUrl), media, problems };
}

/** One image from a page: the media, or a problem said for a person. */
async function fetchImage(
  guard: NetworkGuard,
  url: string,
  request: Parameters<NetworkGuard['fetch']>[1],
  limits: Parameters<NetworkGuard['fetch']>[2],
): Promise<FetchedMedia | string> {
  try {
    const response = await guard.fetch(url, request, limits);
    if (response.status < 200 || response.status > 299) {
      await response.discardBody();
      return `The image ${url} could not be fetched: HTTP status ${response.status}.`;
    }
    const type = mediaType(response);
    if (!type.startsWith('image/') && !vagueTypes.has(type)) {
      await response.discardBody();
      return `${url} is not an image (its content type is ${type}).`;
    }
    const bytes = await response.readBody();
    if (!type.startsWith('image/') && !isImageMime(sniffMime(bytes))) {
      return `${url} is not an image (its content does not look like one).`;
    }
    return { url: response.url, bytes };
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    // The guard's own messages name the URL; network failures often do not.
    return isWardenError(error)
      ? `The image ${url} was not fetched: ${reason}`
      : `The image ${url} could not be fetched: ${reason}`;
  }
}

function mediaType(response: GuardedResponse): string {
  return (response.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

function notMedia(url: string, type: string): string {
  return `${url} is neither an image nor an HTML page (content type ${type || 'not given'}); nothing was fetched from it.`;
}

function decodeHtml(bytes: Uint8Array, response: GuardedResponse): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(response.headers.get('content-type') ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: URLs are ASCII in any charset a page is likely to use.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** An address the URL's host resolves to; an IP address in the URL is itself. */
async function hostAddressOf(url: string): Promise<string> {
  const host = new URL(url).hostname;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return bare;
  try {
    return (await lookup(bare)).address;
  } catch {
    return '';
  }
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}
