import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseUrl } from './index.js';

describe('normaliseUrl', () => {
  it('writes one address the same way however it was typed', () => {
    const forms = [
      'HTTP://Example.ORG:80/a/./b/../c?x=1#top',
      'http://example.org/a/c?x=1',
      'http://example.org./a/c?x=1#',
      '  http://EXAMPLE.org/a/c?x=1  ',
    ];
    expect(new Set(forms.map(normaliseUrl))).toEqual(new Set(['http://example.org/a/c?x=1']));
  });

  it('keeps what tells two pages apart: scheme, port, path case and the query', () => {
    const distinct = [
      'http://example.org/a',
      'https://example.org/a',
      'http://example.org:8080/a',
      'http://example.org/A',
      'http://example.org/a?id=2',
    ];
    expect(new Set(distinct.map(normaliseUrl)).size).toBe(distinct.length);
  });

  it('converts international host names and drops an empty query', () => {
    expect(normaliseUrl('https://bücher.example/?')).toBe('https://xn--bcher-kva.example/');
  });

  it('refuses what Warden never stores, saying why', () => {
    expect(() => normaliseUrl('ftp://example.org/x')).toThrow(/Only http:\/\/ and https:\/\//);
    expect(() => normaliseUrl('http://user:secret@example.org/')).toThrow(/credentials/);
    expect(() => normaliseUrl('not a url')).toThrow(/not a valid URL/);
    expect(() => normaliseUrl(`http://example.org/${'a'.repeat(3000)}`)).toThrow(/limit is 2048/);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const once = normaliseUrl(url);
        expect(normaliseUrl(once)).toBe(once);
      }),
    );
  });
});
