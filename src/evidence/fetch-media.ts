// Fetching the media a reported URL points at, under the network guard: the image itself, or the images
// an HTML page shows. A page that cannot be fetched is an error; an image on it that cannot be fetched is
// only noted, so that one broken link does not lose the rest of the evidence. Anyone may report a URL, so
// one fetch is bounded as a whole: a deadline, a number of images, and a pixel count read from each
// image's header before anything decodes it.
import { configEnvironment } from '../config/index.js';
import { WardenError, isWardenError } from '../errors/index.js';
import { checkImagePixels } from '../hashing/index.js';
import { retryableStatus } from '../network/index.js';
import type { GuardedResponse, NetworkGuard } from '../network/index.js';
import { linksAndMediaOnPage, mediaType, pageText } from './page-links.js';
import { isImageMime, sniffMime } from './sniff.js';

export interface FetchMediaLimits {
  /** For each request (the page, and each image on it), redirects included. */
  timeoutMs: number;
  /**
   * For the whole fetch, the page and its images together. Images still to come when it passes are left
   * out (and said so); what arrived is kept.
   */
  deadlineMs: number;
  /** Largest response accepted, for the page and for each image. */
  maxBytes: number;
  /** Images fetched from one HTML page at most. */
  maxImages: number;
  /** Largest image kept (width x height, from its header); a larger one is left out undecoded. */
  maxPixels: number;
}

/** Starts the overall deadline: a signal that aborts when it passes. Tests hand in a clock of their own. */
export type StartDeadline = (ms: number) => AbortSignal;

export interface FetchedMedia {
  /** Where the bytes came from (after redirects). */
  url: string;
  bytes: Uint8Array;
}

export interface FetchMediaResult {
  /** The URL that answered, after redirects. */
  finalUrl: string;
  /** The server address the final URL's connection reached ('' when unknown). */
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

/** One fetch's requests share these: headers, the signal that ends them, and the limits. */
interface FetchContext {
  guard: NetworkGuard;
  request: Parameters<NetworkGuard['fetch']>[1] & { signal: AbortSignal };
  fetchLimits: Parameters<NetworkGuard['fetch']>[2];
  maxPixels: number;
}

/**
 * Fetches the media at a URL through the guard: an image URL gives that image; an HTML page gives the
 * images it shows (img src and srcset, og:image), up to `maxImages`, each fetched through the same guard.
 * Images that fail, arrive after the deadline or have too many pixels become `problems`. If the URL
 * itself cannot be fetched this throws: a WardenError for what will not change (a refused address, a 404,
 * a body over the limit), a plain Error for network failures, server errors and a page that did not
 * arrive before the deadline, which may pass on another try. If `signal` aborts, this rejects.
 */
export async function fetchMedia(
  guard: NetworkGuard,
  url: string,
  limits: FetchMediaLimits,
  signal?: AbortSignal,
  startDeadline: StartDeadline = (ms) => AbortSignal.timeout(ms),
): Promise<FetchMediaResult> {
  const deadline = startDeadline(limits.deadlineMs);
  const context: FetchContext = {
    guard,
    request: {
      headers: { 'User-Agent': userAgent, Accept: 'image/*, text/html;q=0.9, */*;q=0.5' },
      signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
    },
    fetchLimits: { timeoutMs: limits.timeoutMs, maxBytes: limits.maxBytes, maxRedirects },
    maxPixels: limits.maxPixels,
  };
  const pastDeadline = () => deadline.aborted && signal?.aborted !== true;
  const late = `the fetch's deadline of ${limits.deadlineMs} ms (${configEnvironment.fetchDeadlineMs}) passed`;
  let page: GuardedResponse;
  let body: Buffer | undefined;
  try {
    page = await guard.fetch(url, context.request, context.fetchLimits);
    body = await pageBody(page);
  } catch (error) {
    if (!pastDeadline()) throw error;
    throw new Error(`${url} was not fetched: ${late} before it answered in full.`, { cause: error });
  }
  const finalUrl = page.url;
  const problems: string[] = [];
  const media: FetchedMedia[] = [];
  const type = mediaType(page);
  const sniffed = body === undefined ? '' : sniffMime(body);
  if (body !== undefined && (type.startsWith('image/') || isImageMime(sniffed))) {
    const kept = await keptImage(context, finalUrl, body);
    if (typeof kept === 'string') problems.push(kept);
    else media.push(kept);
  } else if (body !== undefined && (htmlTypes.has(type) || sniffed === 'text/html')) {
    const read = linksAndMediaOnPage(pageText(body.subarray(0, maxHtmlBytes), page), finalUrl);
    const found = {
      urls: read.media.filter((item) => item.kind === 'image').map((item) => item.url),
      problems: read.problems,
    };
    problems.push(...found.problems);
    if (found.urls.length === 0) problems.push(`No images were found on the page ${finalUrl}.`);
    if (found.urls.length > limits.maxImages) {
      problems.push(
        `The page shows ${found.urls.length} images; only the first ${limits.maxImages} were fetched (the limit per page, ${configEnvironment.fetchMaxImages}).`,
      );
    }
    const fetched = await mapLimited(found.urls.slice(0, limits.maxImages), concurrency, (imageUrl) =>
      context.request.signal.aborted ? Promise.resolve(undefined) : fetchImage(context, imageUrl),
    );
    if (signal?.aborted === true) throw signal.reason;
    let missed = 0;
    for (const outcome of fetched) {
      if (outcome === undefined) missed += 1;
      else if (typeof outcome === 'string') problems.push(outcome);
      else media.push(outcome);
    }
    if (missed > 0) {
      problems.push(`${missed} of the page's images were left out: ${late} before they arrived.`);
    }
  } else {
    problems.push(notMedia(finalUrl, type));
  }
  // The address the connection reached, as the guard saw it: not a second lookup that may differ.
  return { finalUrl, hostAddress: page.address, media, problems };
}

/** The body of a page or image worth reading; undefined (body dropped) for other types. */
async function pageBody(page: GuardedResponse): Promise<Buffer | undefined> {
  if (page.status < 200 || page.status > 299) {
    await page.discardBody();
    const message = `${page.url} answered with HTTP status ${page.status}, so there was nothing to fetch.`;
    throw new WardenError(
      'unavailable',
      message,
      { status: page.status },
      { retryable: retryableStatus(page.status) },
    );
  }
  const type = mediaType(page);
  if (type.startsWith('image/') || vagueTypes.has(type) || htmlTypes.has(type)) return page.readBody();
  await page.discardBody();
  return undefined;
}

/**
 * One image from a page: the media, a problem said for a person, or undefined when the fetch was cut
 * short (the deadline passed, or the caller gave up) before the image arrived.
 */
async function fetchImage(context: FetchContext, url: string): Promise<FetchedMedia | string | undefined> {
  try {
    const response = await context.guard.fetch(url, context.request, context.fetchLimits);
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
    return await keptImage(context, response.url, bytes);
  } catch (error) {
    if (context.request.signal.aborted) return undefined;
    const reason = error instanceof Error ? error.message || error.name : String(error);
    // The guard's own messages name the URL; network failures often do not.
    return isWardenError(error)
      ? `The image ${url} was not fetched: ${reason}`
      : `The image ${url} could not be fetched: ${reason}`;
  }
}

/** The image as media, or why it was left out: too many pixels for media fetched on anyone's word. */
async function keptImage(context: FetchContext, url: string, bytes: Buffer): Promise<FetchedMedia | string> {
  try {
    await checkImagePixels(bytes, context.maxPixels);
  } catch (error) {
    if (!isWardenError(error)) throw error;
    return `${url} was left out. ${error.message} ${configEnvironment.fetchMaxPixels} sets this limit for fetched media.`;
  }
  return { url, bytes };
}

function notMedia(url: string, type: string): string {
  return `${url} is neither an image nor an HTML page (content type ${type || 'not given'}); nothing was fetched from it.`;
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
