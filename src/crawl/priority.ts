// What the crawler fetches next, and why. A URL's priority is fixed when it is admitted (and raised when
// its host turns out to hold matches), from what is known about where it was found: known material is
// clustered, so pages a few links from a match, and hosts that served matches before, come first; pages
// found on media-rich pages come a little earlier; depth counts against. Each part is written into the
// URL's reason, so an operator can read why a URL is next.

/** Seeds go first. */
export const seedPriority = 1000;
const depthPenalty = 10;
/** By links from the nearest page with a match: 1, 2, 3. */
const nearMatchBonus = [0, 60, 30, 15] as const;
const maxMediaBonus = 10;
/** Raised once for the queued URLs of a host when it first serves a match in a crawl. */
export const hostMatchBoost = 20;

export interface LinkSource {
  /** The depth of the page the link is on. */
  depth: number;
  /** Links from that page to the nearest page with a match (0: it has one), or null. */
  matchDistance: number | null;
  /** Images on that page. */
  images: number;
}

export interface Ranked {
  priority: number;
  reason: string;
  matchDistance: number | null;
}

/** The priority of a link found on a page, given what is known of its host's earlier matches. */
export function rankLink(source: LinkSource, hostMatches: number): Ranked {
  const depth = source.depth + 1;
  let priority = -depthPenalty * depth;
  const reasons = [`depth ${depth} (${-depthPenalty * depth})`];
  const matchDistance = source.matchDistance === null ? null : source.matchDistance + 1;
  const near = matchDistance === null ? 0 : (nearMatchBonus[matchDistance] ?? 0);
  if (near > 0) {
    priority += near;
    reasons.push(
      `${matchDistance} link${matchDistance === 1 ? '' : 's'} from a page with a match (+${near})`,
    );
  }
  if (hostMatches > 0) {
    const bonus = hostBonus(hostMatches);
    priority += bonus;
    reasons.push(`its host served ${hostMatches} earlier match${hostMatches === 1 ? '' : 'es'} (+${bonus})`);
  }
  const media = Math.min(maxMediaBonus, source.images);
  if (media > 0) {
    priority += media;
    reasons.push(`found on a page with ${source.images} image${source.images === 1 ? '' : 's'} (+${media})`);
  }
  return { priority, reason: reasons.join('; '), matchDistance };
}

/** More earlier matches, more weight, up to a bound: one busy host must not starve the rest. */
export function hostBonus(matches: number): number {
  return Math.min(40, 15 + 5 * matches);
}
