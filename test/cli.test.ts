// The CLI contract that scripts rely on, exercised through the real `warden` binary (bin/warden.js over
// the compiled dist/), on SQLite and, when DATABASE_URL is set, on PostgreSQL.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeEachEngine,
  expectedPdq,
  runWarden,
  useTemporaryDirectory,
  vectorPath,
} from './support/index.js';

const dihedralImage = (name: string) => vectorPath(`pdq/images/pdq-data/reg-test-input/dih/${name}`);

describe('warden hash', () => {
  const directory = useTemporaryDirectory();

  it('prints one JSON line per file, in order, bit-exact with the reference, and reports a bad file without stopping', async () => {
    const rows = expectedPdq('full-resolution-pipeline.csv').filter(
      (row) => row.file.startsWith('decoded/') && !row.file.includes('I16'),
    );
    const broken = join(directory(), 'broken.jpg');
    writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]));
    const files = rows.slice(0, 6).map((row) => vectorPath(`pdq/${row.file}`));
    const run = await runWarden(['hash', '--json', files[0] ?? '', broken, ...files.slice(1)], {
      WARDEN_DATA_DIR: directory(),
    });

    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(7);
    expect(run.lines[1]).toEqual({
      file: broken,
      error: { code: expect.any(String), message: expect.stringMatching(/.{10}/) },
    });
    const good = [run.lines[0], ...run.lines.slice(2)];
    good.forEach((line, index) => {
      const row = rows[index];
      expect(line).toMatchObject({ file: files[index], pdq: row?.hash, quality: row?.quality });
      expect(Object.keys(line ?? {}).sort()).toEqual([
        'file',
        'height',
        'md5',
        'pdq',
        'quality',
        'sha256',
        'width',
      ]);
    });
    const bytes = readFileSync(files[0] ?? '');
    const { createHash } = await import('node:crypto');
    expect(run.lines[0]).toMatchObject({
      md5: createHash('md5').update(bytes).digest('hex'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('adds the seven dihedral hashes when asked', async () => {
    const run = await runWarden(['hash', '--json', '--dihedral', vectorPath('pdq/decoded/q0122.png')], {
      WARDEN_DATA_DIR: directory(),
    });
    expect(run.code).toBe(0);
    expect(Object.keys(run.lines[0]?.dihedral as object).sort()).toEqual(
      ['flip_minus1', 'flip_plus1', 'flipx', 'flipy', 'rotate180', 'rotate270', 'rotate90'].sort(),
    );
  });

  it('explains usage mistakes with exit code 2', async () => {
    const run = await runWarden(['hash', '--pipeline', 'tiny', 'a.png'], { WARDEN_DATA_DIR: directory() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/full, cli512/);
  });
});

describeEachEngine('warden bank and warden match', (database) => {
  const directory = useTemporaryDirectory();
  const env = () => database().environment;

  it('builds a bank from the command line and matches files and hashes against it', async () => {
    expect((await runWarden(['bank', 'create', 'standin-csam', '--category', 'csam'], env())).code).toBe(0);
    const original = await runWarden(['hash', '--json', dihedralImage('bridge-1-original.jpg')], env());
    const pdq = String(original.lines[0]?.pdq);

    const csv = join(directory(), 'list.csv');
    writeFileSync(csv, `signal_type,signal,note\npdq,${pdq},bridge stand-in\nmd5,${'0'.repeat(32)},\n`);
    const imported = await runWarden(['bank', 'import', 'standin-csam', csv, '--json'], env());
    expect(imported.lines[0]).toMatchObject({ entries: 2, added: 2, already_present: 0 });

    const listed = await runWarden(['bank', 'list', '--json'], env());
    expect(listed.lines).toEqual([
      expect.objectContaining({ name: 'standin-csam', category: 'csam', entries: 2, enabled: true }),
    ]);

    const hashes = join(directory(), 'hashes.txt');
    writeFileSync(hashes, `${'f'.repeat(64)}\nnot-a-hash\n`);
    const matched = await runWarden(
      [
        'match',
        '--json',
        '--dihedral',
        dihedralImage('bridge-1-original.jpg'),
        dihedralImage('bridge-2-rotate-90.jpg'),
        '--hash',
        pdq,
        '--hash',
        `md5:${'0'.repeat(32)}`,
        '--hashes',
        hashes,
      ],
      env(),
    );
    expect(matched.code).toBe(1);
    expect(matched.lines).toHaveLength(6);
    const [same, rotated, byHash, byMd5, none, bad] = matched.lines;
    expect(same).toMatchObject({
      query: { file: dihedralImage('bridge-1-original.jpg'), pdq, low_quality: false },
      matches: [
        { bank: 'standin-csam', signal_type: 'pdq', signal: pdq, distance: 0, entry_id: expect.any(Number) },
      ],
    });
    expect(rotated).toMatchObject({
      matches: [{ bank: 'standin-csam', signal: pdq, variant: expect.any(String) }],
    });
    expect((rotated?.matches as { distance: number }[])[0]?.distance).toBeLessThanOrEqual(31);
    expect(byHash).toMatchObject({ query: { pdq }, matches: [{ distance: 0 }] });
    expect(byMd5).toMatchObject({
      query: { md5: '0'.repeat(32) },
      matches: [{ signal_type: 'md5', distance: 0 }],
    });
    expect(none).toEqual({ query: { pdq: 'f'.repeat(64) }, matches: [], truncated: false });
    expect(bad).toMatchObject({ query: { hash: 'not-a-hash' }, error: { code: 'invalid_hash' } });

    // Without --dihedral the rotated image is not found; with a bank filter nothing else is searched.
    const plain = await runWarden(['match', '--json', dihedralImage('bridge-2-rotate-90.jpg')], env());
    expect(plain.lines[0]?.matches).toEqual([]);
    expect((await runWarden(['match', '--bank', 'nope', '--hash', pdq], env())).stderr).toMatch(
      /No bank named "nope"/,
    );

    const exported = await runWarden(
      ['bank', 'export', 'standin-csam', '--format', 'txt', '--signal-type', 'pdq'],
      env(),
    );
    expect(exported.stdout).toBe(`${pdq}\n`);
  });

  it('rejects a bad import file naming its lines, and writes nothing', async () => {
    await runWarden(['bank', 'create', 'standin', '--category', 'terrorism'], env());
    const file = join(directory(), 'bad.txt');
    writeFileSync(file, `${'a'.repeat(64)}\n${'b'.repeat(63)}\n`);
    const run = await runWarden(['bank', 'import', 'standin', file], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/line 2: .*64/);
    expect(run.stderr).toMatch(/nothing was written/);
    const listed = await runWarden(['bank', 'list', '--json'], env());
    expect(listed.lines[0]).toMatchObject({ entries: 0 });
  });

  it('adds single entries and reads hashes from standard input', async () => {
    await runWarden(['bank', 'create', 'standin', '--category', 'other'], env());
    const added = await runWarden(
      ['bank', 'add', 'standin', '--sha256', 'A'.repeat(64), '--note', 'x', '--json'],
      env(),
    );
    expect(added.lines[0]).toMatchObject({ signal_type: 'sha256', signal: 'a'.repeat(64), note: 'x' });
    const run = await runWarden(['match', '--json', '--hashes', '-'], env(), `sha256:${'a'.repeat(64)}\n`);
    expect(run.lines[0]).toMatchObject({ matches: [{ signal_type: 'sha256', distance: 0 }] });
    const both = await runWarden(
      ['bank', 'add', 'standin', '--pdq', 'a'.repeat(64), '--md5', 'a'.repeat(32)],
      env(),
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --pdq, --md5, --sha256 or --url/);
  });
});

describe('configuration', () => {
  it('names the variable that is wrong', async () => {
    const run = await runWarden(['bank', 'list'], { WARDEN_MATCH_THRESHOLD: 'many' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/WARDEN_MATCH_THRESHOLD/);
  });
});

describeEachEngine('warden text', (database) => {
  const directory = useTemporaryDirectory();
  const env = () => database().environment;

  it('imports a term list, checks texts with exit codes scripts can test, and exports the list again', async () => {
    const list = join(directory(), 'terms.csv');
    writeFileSync(
      list,
      [
        'term,category,severity,match,allow,note',
        'empty chair,standin-harassment,5,word,false,stand-in term',
        'ass,standin-profanity,2,substring,false,',
        'class,other,1,substring,true,allow-list',
      ].join('\n'),
    );
    const imported = await runWarden(['text', 'import', 'standin-terms', list, '--json'], env());
    expect(imported.code).toBe(0);
    expect(imported.lines[0]).toMatchObject({ bank: 'standin-terms', entries: 3, terms: 2, allow: 1 });

    const blocked = await runWarden(['text', 'check', '--json', 'there is an E.M.P.T.Y ch4ir'], env());
    expect(blocked.code).toBe(1);
    expect(blocked.lines[0]).toEqual({
      verdict: 'block',
      matches: [{ term: 'empty chair', category: 'standin-harassment', severity: 5, start: 12, end: 27 }],
    });
    // Standard input, an allow-listed word, and a low-severity match that is held for review.
    const allowed = await runWarden(['text', 'check', '--json'], env(), 'first class travel');
    expect(allowed).toMatchObject({ code: 0, lines: [{ verdict: 'allow', matches: [] }] });
    const review = await runWarden(['text', 'check', 'what a smartass'], env());
    expect(review.code).toBe(1);
    expect(review.stdout).toMatch(/^review\n.*"ass" matches "ass"/);

    const exported = await runWarden(['text', 'export', 'standin-terms'], env());
    expect(exported.code).toBe(0);
    expect(exported.stdout.split('\n')[0]).toBe('term,category,severity,language,match,allow,regex,note');
    expect(exported.stdout).toContain('empty chair,standin-harassment,5,,word,false,false,stand-in term');
  });

  it('refuses a list with a bad row, naming the line, and imports nothing', async () => {
    const list = join(directory(), 'bad.csv');
    writeFileSync(list, 'term,category,severity\nfine term,spam,2\nbad term,spam,9\n');
    const run = await runWarden(['text', 'import', 'standin-bad', list], env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/line 3/);
    const check = await runWarden(['text', 'check', '--json', 'fine term'], env());
    expect(check.lines[0]).toMatchObject({ verdict: 'allow' });
  });
});
