// Link ranking: pages near a match and on hosts with matches come first, depth counts against, and the
// reason says so in words.
import { describe, expect, it } from 'vitest';
import { hostBonus, rankLink } from './priority.js';

describe('rankLink', () => {
  it('prefers links from a page with a match, then two links away, over plain links', () => {
    const plain = rankLink({ depth: 1, matchDistance: null, images: 0 }, 0);
    const onMatch = rankLink({ depth: 1, matchDistance: 0, images: 0 }, 0);
    const twoAway = rankLink({ depth: 1, matchDistance: 1, images: 0 }, 0);
    expect(onMatch.priority).toBeGreaterThan(twoAway.priority);
    expect(twoAway.priority).toBeGreaterThan(plain.priority);
    expect(onMatch).toMatchObject({
      matchDistance: 1,
      reason: 'depth 2 (-20); 1 link from a page with a match (+60)',
    });
    expect(twoAway.reason).toContain('2 links from a page with a match (+30)');
    expect(plain).toEqual({ priority: -20, reason: 'depth 2 (-20)', matchDistance: null });
    // Far from any match, the distance is kept but earns nothing.
    expect(rankLink({ depth: 1, matchDistance: 5, images: 0 }, 0).priority).toBe(-20);
  });

  it('raises hosts that served matches, boundedly, and media-rich pages a little', () => {
    const host = rankLink({ depth: 0, matchDistance: null, images: 0 }, 3);
    expect(host.priority).toBe(-10 + hostBonus(3));
    expect(host.reason).toContain('its host served 3 earlier matches (+30)');
    expect(hostBonus(1000)).toBe(40);
    const media = rankLink({ depth: 0, matchDistance: null, images: 25 }, 0);
    expect(media).toMatchObject({
      priority: 0,
      reason: 'depth 1 (-10); found on a page with 25 images (+10)',
    });
    // A deeper page near a match still beats a shallow plain one.
    expect(rankLink({ depth: 3, matchDistance: 0, images: 0 }, 0).priority).toBeGreaterThan(
      rankLink({ depth: 0, matchDistance: null, images: 0 }, 0).priority,
    );
  });
});
