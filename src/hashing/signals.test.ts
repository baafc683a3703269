// Hash signals as text and bytes: what users paste, what files contain, and the distances between them.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseMd5,
  parsePdqHash,
  parseSha256,
  parseSignal,
  pdqBytesToHash,
  pdqDistance,
  pdqHashToBytes,
} from './signals.js';
import type { PdqHash } from './signals.js';
import { vectorPath } from '../../test/support/index.js';

/** What `action` throws; fails the test if it returns. */
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const bridge = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const hexDigits = fc.constantFrom(...'0123456789abcdef');
const pdqText = fc.string({ unit: hexDigits, minLength: 64, maxLength: 64 });

describe('parsePdqHash', () => {
  it('accepts upper case and surrounding whitespace, giving the canonical lowercase form', () => {
    expect(parsePdqHash(`  ${bridge.toUpperCase()}\n`)).toBe(bridge);
    fc.assert(
      fc.property(pdqText, fc.constantFrom('', ' ', '\t', '\r\n'), (hash, space) => {
        expect(parsePdqHash(space + hash.toUpperCase() + space)).toBe(hash);
      }),
    );
  });

  it('says what is wrong with a hash of the wrong length', () => {
    expect(() => parsePdqHash(bridge.slice(1))).toThrow(/PDQ hash has 64 hex digits; ".*" has 63 characters/);
    expect(thrown(() => parsePdqHash(''))).toMatchObject({ code: 'invalid_hash', status: 400 });
  });

  it('says which character is not a hex digit, and where', () => {
    expect(() => parsePdqHash(`${bridge.slice(0, 10)}g${bridge.slice(11)}`)).toThrow(
      /only the hex digits 0-9 and a-f; ".*" has "g" at position 11/,
    );
    fc.assert(
      fc.property(pdqText, fc.nat(63), fc.constantFrom(...'ghxzG-_+.,'), (hash, at, bad) => {
        expect(thrown(() => parsePdqHash(hash.slice(0, at) + bad + hash.slice(at + 1)))).toMatchObject({
          code: 'invalid_hash',
          details: { position: at + 1 },
        });
      }),
    );
  });
});

describe('MD5 and SHA-256 digests', () => {
  it('are parsed like PDQ hashes, with their own lengths', () => {
    expect(parseMd5(' D41D8CD98F00B204E9800998ECF8427E ')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(parseSha256(bridge.toUpperCase())).toBe(bridge);
    expect(() => parseMd5(bridge)).toThrow(/MD5 digest has 32 hex digits; ".*" has 64 characters/);
    expect(() => parseSha256('d41d8cd98f00b204e9800998ecf8427e')).toThrow(/SHA-256 digest has 64 hex digits/);
  });

  it('parseSignal dispatches on the signal type and rejects unknown types', () => {
    expect(parseSignal('pdq', bridge.toUpperCase())).toBe(bridge);
    expect(parseSignal('md5', 'D41D8CD98F00B204E9800998ECF8427E')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(parseSignal('sha256', bridge)).toBe(bridge);
    expect(thrown(() => parseSignal('md5', bridge))).toMatchObject({ code: 'invalid_hash' });
    expect(() => parseSignal('sha1' as 'md5', 'x')).toThrow(
      /Unknown hash signal type "sha1"; expected one of pdq, md5, sha256/,
    );
  });
});

describe('PDQ bytes', () => {
  it('puts the first two hex digits in byte 0', () => {
    const bytes = pdqHashToBytes(bridge as PdqHash);
    expect(bytes.length).toBe(32);
    expect([bytes[0], bytes[1], bytes[31]]).toEqual([0xf8, 0xf8, 0x22]);
  });

  it('round-trips between bytes and text, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(16), (bytes, offset) => {
        const padded = new Uint8Array(offset + 32 + 3);
        padded.set(bytes, offset);
        const hash = pdqBytesToHash(padded, offset);
        expect(parsePdqHash(hash)).toBe(hash);
        expect(pdqHashToBytes(hash)).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(pdqText, (hash) => {
        expect(pdqBytesToHash(pdqHashToBytes(hash as PdqHash))).toBe(hash);
      }),
    );
  });

  it('refuses to read past the end of the bytes', () => {
    expect(() => pdqBytesToHash(new Uint8Array(40), 9)).toThrow(/not 32 bytes at offset 9 of 40/);
  });
});

describe('pdqDistance', () => {
  it('reproduces every distance of the reference needles-vs-haystack join', () => {
    const lines = (file: string) =>
      readFileSync(vectorPath(`pdq/hashlists/${file}`), 'utf8')
        .trim()
        .split('\n');
    const needles = lines('needles.txt') as PdqHash[];
    const haystack = lines('haystack.txt') as PdqHash[];
    const pairs = lines('needles-vs-haystack-d63.csv').slice(1);
    expect(pairs.length).toBe(352);
    for (const pair of pairs) {
      const [needle, hay, distance] = pair.split(',').map(Number);
      expect(pdqDistance(needles[(needle ?? 0) - 1] as PdqHash, haystack[(hay ?? 0) - 1] as PdqHash)).toBe(
        distance,
      );
    }
    const near = needles.flatMap((needle) => haystack.filter((hay) => pdqDistance(needle, hay) <= 63));
    expect(near.length).toBe(pairs.length);
  });

  it('counts the differing bits', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          let bits = 0;
          a.forEach((byte, index) => {
            for (let x = byte ^ (b[index] ?? 0); x > 0; x >>= 1) bits += x & 1;
          });
          expect(pdqDistance(pdqBytesToHash(a), pdqBytesToHash(b))).toBe(bits);
        },
      ),
    );
  });
});
