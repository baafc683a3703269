// What a crawler takes from an HTML page: the links to follow (<a>, <area>, <iframe>, <frame>) and the
// media the page shows or links to (<img> src and srcset, <picture><source>, <video> src, <source> and
// poster, og:image / og:video, and links whose path ends in a media file extension). URLs are resolved
// against the page's final URL or its first <base href>, fragments dropped, each kept once, in order.
import { Parser } from 'htmlparser2';
import type { GuardedResponse } from '../network/index.js';

export type PageMediaKind = 'image' | 'video';

export interface PageMedia {
  url: string;
  kind: PageMediaKind;
}

export interface PageLinksAndMedia {
  /** Absolute http(s) URLs of pages to follow, fragment dropped, each once, in document order. */
  links: string[];
  /** Absolute http(s) URLs of media, each once, in document order. */
  media: PageMedia[];
  /** Candidates that were skipped, said for a person. */
  problems: string[];
}

const imageExtensions = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'bmp', 'tif', 'tiff']);
const videoExtensions = new Set(['mp4', 'm4v', 'webm', 'mov', 'mkv', 'avi', 'mpg', 'mpeg', 'ogv', '3gp']);
const socialImages = new Set(['og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image']);
const socialVideos = new Set(['og:video', 'og:video:url', 'og:video:secure_url', 'twitter:player:stream']);

/** The kind of media a URL names by its path's extension, if any. */
export function mediaKindOfUrl(url: string): PageMediaKind | undefined {
  let path: string;
  try {
    path = new URL(url).pathname.toLowerCase();
  } catch {
    return undefined;
  }
  const extension = /\.([a-z0-9]{2,5})$/.exec(path)?.[1] ?? '';
  if (imageExtensions.has(extension)) return 'image';
  if (videoExtensions.has(extension)) return 'video';
  return undefined;
}

/** The links and media of an HTML page whose final URL is `pageUrl`. */
export function linksAndMediaOnPage(html: string, pageUrl: string): PageLinksAndMedia {
  type Candidate = { reference: string; base: string; kind: PageMediaKind | 'link' };
  const candidates: Candidate[] = [];
  let base = pageUrl;
  let baseSeen = false;
  // <source> means an image inside <picture>, a video inside <video>; inside <audio> it is skipped.
  const open = { picture: 0, video: 0, audio: 0 };
  const add = (reference: string | undefined, kind: Candidate['kind']) => {
    const trimmed = reference?.trim() ?? '';
    if (trimmed !== '') candidates.push({ reference: trimmed, base, kind });
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        switch (name) {
          case 'base':
            if (!baseSeen && attributes.href !== undefined) {
              baseSeen = true;
              base = resolve(attributes.href, pageUrl) ?? pageUrl;
            }
            break;
          case 'a':
          case 'area':
          case 'iframe':
          case 'frame':
            add(name === 'iframe' || name === 'frame' ? attributes.src : attributes.href, 'link');
            break;
          case 'img':
            add(attributes.src, 'image');
            add(largestCandidate(attributes.srcset ?? ''), 'image');
            break;
          case 'picture':
          case 'video':
          case 'audio':
            open[name] += 1;
            if (name === 'video') {
              add(attributes.src, 'video');
              add(attributes.poster, 'image');
            }
            break;
          case 'source':
            if (open.audio > 0) break;
            if (open.video > 0) add(attributes.src, 'video');
            else add(largestCandidate(attributes.srcset ?? '') ?? attributes.src, 'image');
            break;
          case 'meta': {
            const property = (attributes.property ?? attributes.name ?? '').trim().toLowerCase();
            if (socialImages.has(property)) add(attributes.content, 'image');
            else if (socialVideos.has(property)) add(attributes.content, 'video');
            break;
          }
          default:
            break;
        }
      },
      onclosetag(name) {
        if ((name === 'picture' || name === 'video' || name === 'audio') && open[name] > 0) open[name] -= 1;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();

  const links: string[] = [];
  const media: PageMedia[] = [];
  const seenLinks = new Set<string>();
  const seenMedia = new Set<string>();
  const problems: string[] = [];
  let embedded = 0;
  for (const { reference, base: candidateBase, kind } of candidates) {
    if (/^data:/i.test(reference) && kind !== 'link') {
      embedded += 1;
      continue;
    }
    // Links to scripts, mail and phones are not pages; for media such a URL is said to be skipped.
    if (/^(data|javascript|mailto|tel|blob):/i.test(reference) && kind === 'link') continue;
    const resolved = resolve(reference, candidateBase);
    if (resolved === undefined) {
      problems.push(`Skipped "${reference.slice(0, 200)}": it is not a valid URL.`);
      continue;
    }
    if (!resolved.startsWith('http:') && !resolved.startsWith('https:')) {
      problems.push(`Skipped ${resolved.slice(0, 200)}: only http and https are fetched.`);
      continue;
    }
    // A link to a media file is media, not a page to follow.
    const mediaKind = kind === 'link' ? mediaKindOfUrl(resolved) : kind;
    if (mediaKind === undefined) {
      if (!seenLinks.has(resolved)) links.push(resolved);
      seenLinks.add(resolved);
    } else if (!seenMedia.has(resolved)) {
      seenMedia.add(resolved);
      media.push({ url: resolved, kind: mediaKind });
    }
  }
  if (embedded > 0) {
    problems.push(
      `${embedded} media item${embedded === 1 ? ' is' : 's are'} embedded in the page as data: URLs; these were not extracted.`,
    );
  }
  return { links, media, problems };
}

function resolve(reference: string, base: string): string | undefined {
  try {
    const url = new URL(reference, base);
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/**
 * The URL of the largest candidate in a srcset: by width descriptor (`640w`) when there are any, else by
 * pixel density (`2x`, 1x when none is given). Parsed as the HTML standard does, simplified: a URL is a
 * run of non-space characters, trailing commas end a candidate, descriptors run to the next comma.
 */
export function largestCandidate(srcset: string): string | undefined {
  let bestWidth: [url: string, width: number] | undefined;
  let bestDensity: [url: string, density: number] | undefined;
  let at = 0;
  while (at < srcset.length) {
    while (at < srcset.length && /[\s,]/.test(srcset.charAt(at))) at += 1;
    if (at >= srcset.length) break;
    let end = at;
    while (end < srcset.length && !/\s/.test(srcset.charAt(end))) end += 1;
    let url = srcset.slice(at, end);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
      at = end;
    } else {
      const comma = srcset.indexOf(',', end);
      const stop = comma === -1 ? srcset.length : comma;
      descriptor = srcset.slice(end, stop).trim().toLowerCase();
      at = stop + 1;
    }
    if (url === '') continue;
    const width = /^(\d+)w$/.exec(descriptor);
    if (width !== null) {
      const value = Number(width[1]);
      if (bestWidth === undefined || value > bestWidth[1]) bestWidth = [url, value];
      continue;
    }
    const density = descriptor === '' ? ['', '1'] : /^(\d+(?:\.\d+)?|\.\d+)x$/.exec(descriptor);
    if (density === null) continue;
    const value = Number(density[1]);
    if (bestDensity === undefined || value > bestDensity[1]) bestDensity = [url, value];
  }
  return (bestWidth ?? bestDensity)?.[0];
}

/** A response's media type, lower case, without parameters ('' when not given). */
export function mediaType(response: GuardedResponse): string {
  return (response.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** An HTML body as text, in the charset its Content-Type names (UTF-8 when none, or one unknown). */
export function pageText(bytes: Uint8Array, response: GuardedResponse): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(response.headers.get('content-type') ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: URLs are ASCII in any charset a page is likely to use.
    return new TextDecoder('utf-8').decode(bytes);
  }
}
