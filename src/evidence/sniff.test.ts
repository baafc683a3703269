// Recognising media by their first bytes, for every format the store and the fetcher distinguish.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isImageMime, sniffMime } from './sniff.js';

describe('sniffMime', () => {
  it('recognises each image format sharp writes', async () => {
    const image = sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } });
    const formats = [
      ['png', 'image/png'],
      ['jpeg', 'image/jpeg'],
      ['gif', 'image/gif'],
      ['webp', 'image/webp'],
      ['tiff', 'image/tiff'],
      ['avif', 'image/avif'],
    ] as const;
    for (const [format, mime] of formats) {
      const bytes = await image.clone().toFormat(format).toBuffer();
      expect(sniffMime(bytes)).toBe(mime);
      expect(isImageMime(sniffMime(bytes))).toBe(true);
    }
  });

  it('recognises HTML and calls anything else application/octet-stream', () => {
    expect(sniffMime(Buffer.from('\uFEFF  \n<!DOCTYPE html><html></html>'))).toBe('text/html');
    expect(sniffMime(Buffer.from('<HTML><body>x'))).toBe('text/html');
    expect(sniffMime(Buffer.from('<?xml version="1.0"?><svg/>'))).toBe('application/octet-stream');
    expect(sniffMime(Buffer.from('%PDF-1.7'))).toBe('application/octet-stream');
    expect(sniffMime(new Uint8Array())).toBe('application/octet-stream');
    expect(sniffMime(Buffer.from([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]))).toBe(
      'application/octet-stream',
    );
    expect(isImageMime('text/html')).toBe(false);
  });
});
