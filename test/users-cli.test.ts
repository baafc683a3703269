// `warden users` through the real binary: what an operator types to let people into the console.
import { expect, it } from 'vitest';
import { listAudit } from '../src/audit/index.js';
import { KeyVerifier } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { resolveSession, signIn, signInOptions } from '../src/users/index.js';
import { describeEachEngine, runWarden } from './support/index.js';

/** Runs `warden users ARGS`. */
function wardenUsers(args: string[], environment: Record<string, string>, input?: string) {
  return runWarden(['users', ...args], environment, input);
}

const hours = signInOptions(loadConfig({}, { sessionHours: 1 }));

describeEachEngine('warden users', (database) => {
  const env = () => ({ ...database().environment, WARDEN_EXPOSURE_WARNING: '40' });

  it('creates people with a generated password shown once, or one read from standard input', async () => {
    const generated = await wardenUsers(
      ['create', '--username', 'Alice', '--role', 'admin', '--name', 'Alice A'],
      env(),
    );
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/^Created admin alice \(id \d+\)\.\nPassword: [A-Za-z0-9_-]{20}\n/);
    expect(generated.stdout).toMatch(/shown once.*warden users set-password alice --password-stdin/);
    const password = /Password: (\S+)/.exec(generated.stdout)?.[1] ?? '';
    const alice = await signIn(database(), { username: 'alice', password }, hours);
    expect(alice.user).toMatchObject({
      username: 'alice',
      displayName: 'Alice A',
      role: 'admin',
      // The configured default exposure warning.
      settings: { exposureWarning: 40 },
    });

    const piped = await wardenUsers(
      ['create', '--username', 'bob', '--role', 'analyst', '--password-stdin', '--json'],
      env(),
      'bob has a long password\n',
    );
    expect(piped.code).toBe(0);
    expect(piped.lines).toEqual([
      {
        id: expect.any(Number),
        username: 'bob',
        display_name: '',
        role: 'analyst',
        disabled: false,
        disabled_at: null,
        created_at: expect.any(String),
      },
    ]);
    await expect(
      signIn(database(), { username: 'bob', password: 'bob has a long password' }, hours),
    ).resolves.toMatchObject({ user: { username: 'bob' } });

    const scripted = await wardenUsers(
      ['create', '--username', 'carol', '--role', 'supervisor', '--json'],
      env(),
    );
    expect(scripted.lines[0]).toMatchObject({
      username: 'carol',
      password: expect.stringMatching(/^.{20}$/),
    });

    const audit = await listAudit(database(), { action: 'user.create' });
    expect(audit.map((entry) => entry.actor)).toEqual(['cli', 'cli', 'cli']);
    expect(JSON.stringify(audit)).not.toContain(password);
  });

  it('lists people without their password hashes', async () => {
    const empty = await wardenUsers(['list'], env());
    expect(empty.stdout).toMatch(/No people yet/);
    await wardenUsers(['create', '--username', 'alice', '--role', 'admin'], env());
    await wardenUsers(['create', '--username', 'bob', '--role', 'analyst', '--name', 'Bob B'], env());
    const text = await wardenUsers(['list'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d+\talice\tadmin\tactive\t\n\d+\tbob\tanalyst\tactive\tBob B\n$/);
    const json = await wardenUsers(['list', '--json'], env());
    expect(json.lines.map((line) => [line.username, line.role, line.display_name])).toEqual([
      ['alice', 'admin', ''],
      ['bob', 'analyst', 'Bob B'],
    ]);
    expect(json.stdout + text.stdout).not.toMatch(/scrypt|password/i);
  });

  it('disables people, ending their sessions, and sets passwords from standard input', async () => {
    await wardenUsers(
      ['create', '--username', 'bob', '--role', 'analyst', '--password-stdin'],
      env(),
      'first password here\n',
    );
    const session = await signIn(database(), { username: 'bob', password: 'first password here' }, hours);

    const changed = await wardenUsers(
      ['set-password', 'bob', '--password-stdin'],
      env(),
      'second password here',
    );
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/Changed the password of bob; their sessions have ended/);
    expect(await resolveSession(database(), session.token)).toBeUndefined();
    await expect(
      signIn(database(), { username: 'bob', password: 'first password here' }, hours),
    ).rejects.toThrow(/Wrong username or password/);
    const second = await signIn(database(), { username: 'bob', password: 'second password here' }, hours);

    const disabled = await wardenUsers(['disable', 'bob'], env());
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/Disabled bob/);
    expect(await resolveSession(database(), second.token)).toBeUndefined();
    await expect(
      signIn(database(), { username: 'bob', password: 'second password here' }, hours),
    ).rejects.toThrow(/Wrong username or password/);
    expect((await wardenUsers(['list', '--json'], env())).lines[0]).toMatchObject({
      disabled: true,
      disabled_at: expect.any(String),
    });

    expect((await wardenUsers(['enable', 'bob'], env())).code).toBe(0);
    await expect(
      signIn(database(), { username: 'bob', password: 'second password here' }, hours),
    ).resolves.toMatchObject({ user: { username: 'bob' } });
  });

  it('explains mistakes with exit code 2', async () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [
        ['create', '--username', 'a b', '--role', 'admin'],
        undefined,
        /Invalid username "a b".*2 to 40 characters/,
      ],
      [
        ['create', '--username', 'bob', '--role', 'platform'],
        undefined,
        /Allowed choices are analyst, supervisor, admin/,
      ],
      [
        ['create', '--username', 'bob', '--role', 'admin', '--password-stdin'],
        'too short\n',
        /12 to 256 characters/,
      ],
      [
        ['create', '--username', 'bob', '--role', 'admin', '--password-stdin'],
        '',
        /No password on standard input/,
      ],
      [
        ['create', '--username', 'bob', '--role', 'admin', '--password-stdin'],
        'line one is long\nline two\n',
        /single line/,
      ],
      [['disable', 'nobody'], undefined, /No person with the username "nobody"/],
      [['set-password', 'nobody', '--password-stdin'], 'a good long password', /No person with the username/],
      [['set-password', 'bob'], undefined, /required option '--password-stdin'/],
    ];
    for (const [args, input, message] of cases) {
      const run = await wardenUsers(args, env(), input);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stdout).not.toMatch(/Password:/);
    }
    await wardenUsers(['create', '--username', 'bob', '--role', 'admin'], env());
    const duplicate = await wardenUsers(['create', '--username', 'BOB', '--role', 'analyst'], env());
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toMatch(/warden: There is already a person with the username "bob"/);
    expect(duplicate.stdout).toBe('');
  });

  it('binds a key to a person with "keys create --user", so that it acts as them', async () => {
    await wardenUsers(['create', '--username', 'dana', '--role', 'analyst', '--json'], env());
    const made = await runWarden(['keys', 'create', '--role', 'analyst', '--user', 'dana', '--json'], env());
    expect(made.code, made.stderr).toBe(0);
    const { key, user_id: userId } = made.lines[0] as { key: string; user_id: number };
    expect(userId).toEqual(expect.any(Number));
    // Its principal is the person: the two-person rule and the review locks count Dana once.
    expect(await new KeyVerifier(database()).verify(key)).toMatchObject({
      actor: `user:${userId}`,
      person: userId,
      role: 'analyst',
    });
    const text = await runWarden(['keys', 'create', '--role', 'analyst', '--user', 'dana'], env());
    expect(text.stdout).toMatch(/acting for dana/);
    const unknown = await runWarden(['keys', 'create', '--role', 'analyst', '--user', 'nobody'], env());
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/nobody/);
    await wardenUsers(['disable', 'dana'], env());
    const disabled = await runWarden(['keys', 'create', '--role', 'analyst', '--user', 'dana'], env());
    expect(disabled.stderr).toMatch(/dana is disabled/);
  });
});
