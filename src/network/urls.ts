// The canonical form of a URL, so that reports about one page join one case and URL lists match the
// way people write the same address differently. WHATWG URL parsing already lowercases the scheme and
// host, converts international names to punycode, drops default ports and resolves dot segments; on top
// of that the fragment (never sent to a server) and an empty query are dropped. The query is kept as
// written: on many sites it names the content, so two queries are two pages.
import { WardenError } from '../errors/index.js';
import { checkUrl } from './guard.js';

/** The longest URL Warden accepts; browsers and servers refuse much longer ones anyway. */
export const maxUrlLength = 2048;

/**
 * Parses and normalises an absolute http(s) URL. Throws a WardenError saying what is wrong with it
 * (not a URL, another scheme, credentials written into it, too long).
 */
export function normaliseUrl(url: string): string {
  if (url.length > maxUrlLength) {
    throw new WardenError(
      'invalid_argument',
      `The URL is ${url.length} characters long; the limit is ${maxUrlLength}. Give the page's address without extra parameters.`,
    );
  }
  const parsed = checkUrl(url.trim());
  parsed.hash = '';
  // An empty query reads as '' but still prints its '?'; assigning '' drops it.
  if (parsed.search === '') parsed.search = '';
  // A trailing dot makes the same host ("example.org." is "example.org").
  if (parsed.hostname.endsWith('.')) parsed.hostname = parsed.hostname.slice(0, -1);
  return parsed.href;
}
