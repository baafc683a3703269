// Finding images in HTML: srcset parsing, <base href>, and what is skipped (the images a public report's
// page shows are read by the same reader as the crawler's pages).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestCandidate, linksAndMediaOnPage } from './page-links.js';

function imagesOnPage(html: string, pageUrl: string) {
  const page = linksAndMediaOnPage(html, pageUrl);
  return {
    urls: page.media.filter((item) => item.kind === 'image').map((item) => item.url),
    problems: page.problems,
  };
}

describe('largestCandidate', () => {
  it('picks the widest candidate, else the densest, as the HTML standard reads srcset', () => {
    expect(largestCandidate('small.jpg 320w, large.jpg 1280w, medium.jpg 640w')).toBe('large.jpg');
    expect(largestCandidate('a.jpg, b.jpg 2x,c.jpg 1.5x')).toBe('b.jpg');
    expect(largestCandidate('only.jpg')).toBe('only.jpg');
    expect(largestCandidate('x.jpg 1x, y.jpg 3x, z.jpg 100w')).toBe('z.jpg');
    // Commas inside a URL are part of it; a trailing comma ends the candidate.
    expect(largestCandidate('img,1.jpg 1x, img,2.jpg 2x')).toBe('img,2.jpg');
    expect(largestCandidate('first.jpg, second.jpg 2x')).toBe('second.jpg');
    expect(largestCandidate('')).toBeUndefined();
    expect(largestCandidate(' , ,')).toBeUndefined();
    expect(largestCandidate('bad.jpg 10q')).toBeUndefined();
  });

  it('never throws, and returns one of the URLs written in the srcset', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '1', '2', 'w', 'x', '.') }),
        (srcset) => {
          const chosen = largestCandidate(srcset);
          if (chosen !== undefined) {
            expect(chosen).not.toBe('');
            expect(srcset).toContain(chosen);
          }
        },
      ),
    );
  });
});

describe('the images on a page', () => {
  it('resolves against the first <base href> from where it appears, and skips what cannot be fetched', () => {
    const found = imagesOnPage(
      `<img src="before.png"><base href="https://cdn.example/assets/"><base href="https://ignored.example/">
       <img src="after.png"><img src="/root.png"><img src="//other.example/x.png"><img src="AFTER.png#f">
       <img src="javascript:alert(1)"><img src="http://[bad"><meta name="twitter:image" content="t.png">
       <img src="   "><img>`,
      'https://site.example/dir/page.html',
    );
    expect(found.urls).toEqual([
      'https://site.example/dir/before.png',
      'https://cdn.example/assets/after.png',
      'https://cdn.example/root.png',
      'https://other.example/x.png',
      'https://cdn.example/assets/AFTER.png',
      'https://cdn.example/assets/t.png',
    ]);
    expect(found.problems).toEqual([
      expect.stringMatching(/javascript:alert\(1\): only http and https are fetched/),
      expect.stringMatching(/"http:\/\/\[bad": it is not a valid URL/),
    ]);
  });

  it('decodes entities in attributes', () => {
    expect(imagesOnPage('<img src="/a.png?x=1&amp;y=2">', 'https://site.example/').urls).toEqual([
      'https://site.example/a.png?x=1&y=2',
    ]);
  });
});
