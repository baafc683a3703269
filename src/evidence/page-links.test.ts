// Links and media on a page, as the crawler reads them.
import { describe, expect, it } from 'vitest';
import { linksAndMediaOnPage, mediaKindOfUrl } from './page-links.js';

describe('linksAndMediaOnPage', () => {
  it('separates pages to follow from images and videos, in every way a page shows them', () => {
    const page = linksAndMediaOnPage(
      `<head><meta property="og:image" content="/og.jpg"><meta property="og:video" content="/og.mp4"></head>
       <a href="/next#part">next</a> <a href="other.html">other</a> <a href="/next">again</a>
       <a href="/photo.JPG">photo</a> <a href="mailto:x@example.org">mail</a> <a href="javascript:void(0)">js</a>
       <iframe src="https://embed.example/frame"></iframe>
       <img src="a.png" srcset="a-small.png 1x, a-big.png 2x">
       <picture><source srcset="p-320.webp 320w, p-640.webp 640w"><img src="p.jpg"></picture>
       <video src="/v.webm" poster="/poster.jpg"><source src="/v.mp4"></video>
       <audio><source src="/a.mp3"></audio>
       <img src="data:image/png;base64,AAAA"> <a href="ftp://files.example/x">ftp</a>`,
      'https://site.example/dir/page.html',
    );
    expect(page.links).toEqual([
      'https://site.example/next',
      'https://site.example/dir/other.html',
      'https://embed.example/frame',
    ]);
    expect(page.media).toEqual([
      { url: 'https://site.example/og.jpg', kind: 'image' },
      { url: 'https://site.example/og.mp4', kind: 'video' },
      { url: 'https://site.example/photo.JPG', kind: 'image' },
      { url: 'https://site.example/dir/a.png', kind: 'image' },
      { url: 'https://site.example/dir/a-big.png', kind: 'image' },
      { url: 'https://site.example/dir/p-640.webp', kind: 'image' },
      { url: 'https://site.example/dir/p.jpg', kind: 'image' },
      { url: 'https://site.example/v.webm', kind: 'video' },
      { url: 'https://site.example/poster.jpg', kind: 'image' },
      { url: 'https://site.example/v.mp4', kind: 'video' },
    ]);
    expect(page.problems.join(' ')).toMatch(/data: URLs/);
    expect(page.problems.join(' ')).toMatch(/only http and https/);
  });

  it('resolves against the first <base href>', () => {
    const page = linksAndMediaOnPage(
      '<base href="https://cdn.example/root/"><base href="https://ignored.example/"><a href="x">x</a><img src="i.gif">',
      'https://site.example/page',
    );
    expect(page.links).toEqual(['https://cdn.example/root/x']);
    expect(page.media).toEqual([{ url: 'https://cdn.example/root/i.gif', kind: 'image' }]);
  });

  it('tells media files by their extension', () => {
    expect(mediaKindOfUrl('https://x.example/a/b.jpeg?size=2')).toBe('image');
    expect(mediaKindOfUrl('https://x.example/clip.MP4')).toBe('video');
    expect(mediaKindOfUrl('https://x.example/page.html')).toBeUndefined();
    expect(mediaKindOfUrl('https://x.example/')).toBeUndefined();
    expect(mediaKindOfUrl('not a url')).toBeUndefined();
  });
});
