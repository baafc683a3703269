import { afterEach, expect, it } from 'vitest';
import { pdqHashToBytes, pdqBytesToHash } from '../hashing/index.js';
import type { PdqHash } from '../hashing/index.js';
import type { Database } from '../store/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import {
  Matcher,
  addBankEntries,
  addBankEntry,
  createBank,
  deleteBank,
  setBankEntryEnabled,
  updateBank,
} from './index.js';
import type { MatcherOptions } from './index.js';

const base = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22' as PdqHash;
const other = '30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af' as PdqHash;
const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** `hash` with its first `bits` bits flipped: exactly that Hamming distance away. */
function flipBits(hash: PdqHash, bits: number): PdqHash {
  const bytes = pdqHashToBytes(hash);
  for (let bit = 0; bit < bits; bit += 1) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return pdqBytesToHash(bytes);
}

const options: MatcherOptions = { defaultThreshold: 31, minQuality: 50, refreshMs: 0 };
const opened: Matcher[] = [];
const extra: Database[] = [];
afterEach(async () => {
  opened.splice(0).forEach((matcher) => matcher.close());
  for (const database of extra.splice(0)) await database.close();
});
async function open(database: Database, overrides: Partial<MatcherOptions> = {}): Promise<Matcher> {
  const matcher = await Matcher.open(database, { ...options, ...overrides });
  opened.push(matcher);
  return matcher;
}

describeEachEngine('matcher', (database) => {
  it('keeps a URL list: URLs are stored normalised and found however they are written', async () => {
    await createBank(database(), { name: 'url-list', category: 'csam' });
    // Entries added inside a caller's transaction commit with it, or not at all.
    await expect(
      database()
        .db.transaction()
        .execute(async (trx) => {
          await addBankEntries(trx, 'url-list', [{ signalType: 'url', signal: 'HTTP://Example.org:80/a#x' }]);
          throw new Error('the decision failed');
        }),
    ).rejects.toThrow('the decision failed');
    const matcher = await open(database());
    expect((await matcher.match({ url: 'http://example.org/a' })).matches).toEqual([]);

    const written = await database()
      .db.transaction()
      .execute((trx) =>
        addBankEntries(trx, 'url-list', [
          { signalType: 'url', signal: 'HTTP://Example.org:80/a#x' },
          { signalType: 'sha256', signal: sha256.toUpperCase() },
        ]),
      );
    expect(written).toBe(2);
    const found = await matcher.match({ url: 'http://example.org/a', sha256 });
    expect(found.matches.map((match) => [match.signalType, match.signal])).toEqual(
      expect.arrayContaining([
        ['url', 'http://example.org/a'],
        ['sha256', sha256],
      ]),
    );
    await expect(
      database()
        .db.transaction()
        .execute((trx) =>
          addBankEntries(trx, 'url-list', [{ signalType: 'url', signal: 'javascript:alert(1)' }]),
        ),
    ).rejects.toThrow(/Only http:\/\/ and https:\/\//);
  });

  it('finds PDQ entries within the threshold, with their distance, and nothing beyond it', async () => {
    await createBank(database(), { name: 'standin-csam', category: 'csam' });
    await createBank(database(), { name: 'standin-other', category: 'other' });
    const entry = await addBankEntry(database(), 'standin-csam', {
      signalType: 'pdq',
      signal: base,
      note: 'n',
    });
    await addBankEntry(database(), 'standin-other', { signalType: 'pdq', signal: other });
    const matcher = await open(database());
    expect(matcher.indexSize).toBe(2);

    const near = await matcher.match({ pdq: flipBits(base, 31), quality: 90 });
    expect(near.lowQuality).toBe(false);
    expect(near.matches).toEqual([
      expect.objectContaining({
        bank: 'standin-csam',
        category: 'csam',
        signalType: 'pdq',
        signal: base,
        distance: 31,
        entryId: entry.id,
      }),
    ]);
    expect((await matcher.match({ pdq: flipBits(base, 32) })).matches).toEqual([]);
    expect((await matcher.match({ pdq: flipBits(base, 32) }, { threshold: 32 })).matches).toHaveLength(1);
    expect((await matcher.match({ pdq: flipBits(base, 3) }, { threshold: 2 })).matches).toEqual([]);
    expect((await matcher.match({ pdq: base }, { banks: ['standin-other'] })).matches).toEqual([]);
    await expect(matcher.match({ pdq: base }, { banks: ['missing'] })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(matcher.match({ pdq: base }, { threshold: 300 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('refuses a PDQ threshold above the configured maximum, and says what the maximum is', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: flipBits(base, 40) });
    const matcher = await open(database(), { maxThreshold: 40 });
    expect((await matcher.match({ pdq: base }, { threshold: 40 })).matches).toHaveLength(1);
    const refused = matcher.match({ pdq: base }, { threshold: 41 });
    await expect(refused).rejects.toMatchObject({ code: 'invalid_argument', status: 400 });
    await expect(refused).rejects.toThrow(/maximum of 40 \(WARDEN_MAX_PDQ_THRESHOLD\)/);
    // Without a maximum of its own, a matcher takes the configuration's default: 63.
    const byDefault = await open(database());
    expect((await byDefault.match({ pdq: base }, { threshold: 63 })).matches).toHaveLength(1);
    await expect(byDefault.match({ pdq: base }, { threshold: 64 })).rejects.toThrow(/maximum of 63/);
  });

  it('returns at most maxMatches matches, the nearest, and says when more matched', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const ids = new Map<number, number>();
    // Added farthest first, so that entry ids do not give the order away.
    for (let distance = 12; distance >= 1; distance--) {
      const entry = await addBankEntry(database(), 'standin', {
        signalType: 'pdq',
        signal: flipBits(base, distance),
      });
      ids.set(distance, entry.id);
    }
    const matcher = await open(database(), { maxMatches: 5 });
    const cut = await matcher.match({ pdq: base });
    expect(cut.matches.map((match) => [match.distance, match.entryId])).toEqual(
      [1, 2, 3, 4, 5].map((distance) => [distance, ids.get(distance)]),
    );
    expect(cut.truncated).toBe(true);
    // The batched path (more than a handful of queries) cuts the same way.
    const batch = await matcher.matchBatch(Array.from({ length: 20 }, () => ({ pdq: base })));
    expect(batch.every((result) => result.truncated && result.matches.length === 5)).toBe(true);
    expect(batch[19]?.matches).toEqual(cut.matches);
    // Exactly as many as the limit is not truncated.
    const twelve = await open(database(), { maxMatches: 12 });
    const all = await twelve.match({ pdq: base });
    expect([all.matches.length, all.truncated]).toEqual([12, false]);
  });

  it('looks past nearer entries of banks left out, so a limited answer misses no match', async () => {
    await createBank(database(), { name: 'standin-off', category: 'csam' });
    await createBank(database(), { name: 'standin-on', category: 'csam' });
    for (let distance = 0; distance < 10; distance++) {
      await addBankEntry(database(), 'standin-off', { signalType: 'pdq', signal: flipBits(base, distance) });
    }
    const far = await addBankEntry(database(), 'standin-on', {
      signalType: 'pdq',
      signal: flipBits(base, 20),
    });
    const matcher = await open(database(), { maxMatches: 3 });
    // Ten nearer entries of a bank the query leaves out, then the one it asks for.
    const asked = await matcher.match({ pdq: base }, { banks: ['standin-on'] });
    expect(asked.matches.map((match) => match.entryId)).toEqual([far.id]);
    expect(asked.truncated).toBe(false);
    // The same when the nearer bank is disabled.
    await updateBank(database(), 'standin-off', { enabled: false });
    await matcher.refresh();
    const rest = await matcher.match({ pdq: base });
    expect([rest.matches.map((match) => match.entryId), rest.truncated]).toEqual([[far.id], false]);
  });

  it('flags low-quality queries but still answers them', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: base });
    const matcher = await open(database());
    const result = await matcher.match({ pdq: base, quality: 49 });
    expect(result.lowQuality).toBe(true);
    expect(result.matches).toHaveLength(1);
  });

  it('matches MD5 and SHA-256 exactly, and answers a batch in order', async () => {
    await createBank(database(), { name: 'standin', category: 'terrorism' });
    await addBankEntry(database(), 'standin', { signalType: 'md5', signal: md5 });
    await addBankEntry(database(), 'standin', { signalType: 'sha256', signal: sha256 });
    await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: base });
    const matcher = await open(database());
    const results = await matcher.matchBatch([
      { md5 },
      { sha256 },
      { pdq: other },
      { pdq: base, md5, sha256 },
    ]);
    expect(
      results.map((result) => result.matches.map((match) => `${match.signalType}:${match.distance}`)),
      // Equal distances come in the order the entries were added.
    ).toEqual([['md5:0'], ['sha256:0'], [], ['md5:0', 'sha256:0', 'pdq:0']]);
  });

  it('tries dihedral variants only when asked, and says which variant matched', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: base });
    const matcher = await open(database());
    const query = { pdq: other, dihedral: { rotate90: flipBits(base, 2) } };
    expect((await matcher.match(query)).matches).toEqual([]);
    const [match] = (await matcher.match(query, { dihedral: true })).matches;
    expect(match).toMatchObject({ distance: 2, variant: 'rotate90' });
  });

  it('ignores disabled entries and disabled banks', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const entry = await addBankEntry(database(), 'standin', { signalType: 'pdq', signal: base });
    const matcher = await open(database());
    await updateBank(database(), 'standin', { enabled: false });
    await matcher.refresh();
    expect((await matcher.match({ pdq: base })).matches).toEqual([]);
    await updateBank(database(), 'standin', { enabled: true });
    await setBankEntryEnabled(database(), entry.id, false);
    await matcher.refresh();
    expect((await matcher.match({ pdq: base })).matches).toEqual([]);
    expect(matcher.indexSize).toBe(0);
  });

  it('picks up entries added, disabled and deleted by another process within the refresh interval', async () => {
    await createBank(database(), { name: 'standin', category: 'csam' });
    const matcher = await open(database(), { refreshMs: 100 });
    const elsewhere = await database().reopen();
    extra.push(elsewhere);

    // Changes to other signal types move the matcher's place in the change log too.
    await addBankEntry(elsewhere, 'standin', { signalType: 'md5', signal: md5 });
    const entry = await addBankEntry(elsewhere, 'standin', { signalType: 'pdq', signal: base });
    await expect
      .poll(async () => (await matcher.match({ pdq: base })).matches.length, { timeout: 5000 })
      .toBe(1);

    await setBankEntryEnabled(elsewhere, entry.id, false);
    await expect
      .poll(async () => (await matcher.match({ pdq: base })).matches.length, { timeout: 5000 })
      .toBe(0);

    await setBankEntryEnabled(elsewhere, entry.id, true);
    await expect.poll(() => matcher.indexSize, { timeout: 5000 }).toBe(1);
    await deleteBank(elsewhere, 'standin');
    await expect.poll(() => matcher.indexSize, { timeout: 5000 }).toBe(0);
  });
});
