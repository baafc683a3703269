// Finding the images an HTML page shows: <img src>, the largest candidate of each srcset (on <img> and
// <picture><source>), and the page's og:image / twitter:image, resolved against the page's final URL
// (or its <base href>), in document order, without duplicates.
import { Parser } from 'htmlparser2';

export interface PageImages {
  /** Absolute http(s) URLs, fragment dropped, each once, in document order. */
  urls: string[];
  /** Candidates that were skipped, said for a person. */
  problems: string[];
}

const socialImageProperties = new Set(['og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image']);

/** The image URLs of an HTML page whose final URL is `pageUrl`. */
export function imagesOnPage(html: string, pageUrl: string): PageImages {
  // Each candidate keeps the base in force where it was found: a later <base> does not change it.
  const candidates: { reference: string; base: string }[] = [];
  let base = pageUrl;
  let baseSeen = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        switch (name) {
          case 'base':
            // As in browsers, only the first <base href> counts.
            if (!baseSeen && attributes.href !== undefined) {
              baseSeen = true;
              base = resolve(attributes.href, pageUrl) ?? pageUrl;
            }
            break;
          case 'img':
            add(attributes.src);
            add(largestCandidate(attributes.srcset ?? ''));
            break;
          case 'source':
            add(largestCandidate(attributes.srcset ?? ''));
            break;
          case 'meta': {
            const property = (attributes.property ?? attributes.name ?? '').trim().toLowerCase();
            if (socialImageProperties.has(property)) add(attributes.content);
            break;
          }
          default:
            break;
        }
      },
    },
    { decodeEntities: true },
  );
  function add(url: string | undefined): void {
    const reference = url?.trim() ?? '';
    if (reference !== '') candidates.push({ reference, base });
  }
  parser.write(html);
  parser.end();

  const urls: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  let embedded = 0;
  for (const { reference, base: candidateBase } of candidates) {
    if (/^data:/i.test(reference)) {
      embedded += 1;
      continue;
    }
    const resolved = resolve(reference, candidateBase);
    if (resolved === undefined) {
      problems.push(`Skipped the image URL "${reference.slice(0, 200)}": it is not a valid URL.`);
      continue;
    }
    if (!resolved.startsWith('http:') && !resolved.startsWith('https:')) {
      problems.push(`Skipped the image URL ${resolved.slice(0, 200)}: only http and https are fetched.`);
      continue;
    }
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    urls.push(resolved);
  }
  if (embedded > 0) {
    problems.push(
      `${embedded} image${embedded === 1 ? ' is' : 's are'} embedded in the page as data: URLs; these were not extracted.`,
    );
  }
  return { urls, problems };
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
