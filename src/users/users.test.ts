import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import { loadConfig } from '../config/index.js';
import {
  createUser,
  getUser,
  getUserByUsername,
  listUsers,
  signIn,
  signInOptions,
  updateUser,
} from './index.js';

const defaults = { exposureWarning: 50 };
const password = 'correct horse battery';

describeEachEngine('users', (database) => {
  it('creates, lists, reads and updates people, auditing each change without passwords', async () => {
    const alice = await createUser(
      database(),
      { username: 'Alice.Smith', password, role: 'analyst', displayName: '  Alice Smith ' },
      defaults,
      'user:99',
    );
    expect(alice).toEqual({
      id: expect.any(Number),
      username: 'alice.smith',
      displayName: 'Alice Smith',
      role: 'analyst',
      settings: { blur: true, greyscale: true, exposureWarning: 50 },
      createdAt: expect.any(String),
      disabledAt: null,
    });
    const bob = await createUser(database(), { username: 'bob', password, role: 'admin' }, defaults);
    expect(bob.displayName).toBe('');
    expect((await listUsers(database())).map((user) => user.username)).toEqual(['alice.smith', 'bob']);
    expect(await getUser(database(), alice.id)).toEqual(alice);
    expect(await getUserByUsername(database(), 'ALICE.smith')).toEqual(alice);

    const changed = await updateUser(database(), alice.id, { role: 'supervisor', displayName: 'A. Smith' });
    expect(changed).toMatchObject({ role: 'supervisor', displayName: 'A. Smith', disabledAt: null });
    await updateUser(database(), alice.id, { password: 'a new password here' }, 'user:2');

    const audit = await listAudit(database());
    expect(audit.map((entry) => [entry.actor, entry.action, entry.target])).toEqual([
      ['user:2', 'user.update', `user:${alice.id}`],
      ['cli', 'user.update', `user:${alice.id}`],
      ['cli', 'user.create', `user:${bob.id}`],
      ['user:99', 'user.create', `user:${alice.id}`],
    ]);
    expect(audit[0]?.details).toEqual({ password_changed: true });
    expect(audit[1]?.details).toEqual({
      role: { from: 'analyst', to: 'supervisor' },
      display_name: { from: 'Alice Smith', to: 'A. Smith' },
    });
    expect(JSON.stringify(audit)).not.toMatch(/horse|new password|scrypt/);
  });

  it('never leaves Warden without an enabled admin', async () => {
    const root = await createUser(
      database(),
      { username: 'root', password: 'a long enough password', role: 'admin' },
      defaults,
    );
    await expect(updateUser(database(), root.id, { role: 'analyst' })).rejects.toThrow(/last enabled admin/);
    await expect(updateUser(database(), root.id, { disabled: true })).rejects.toThrow(/last enabled admin/);
    const second = await createUser(
      database(),
      { username: 'second', password: 'a long enough password', role: 'admin' },
      defaults,
    );
    expect((await updateUser(database(), root.id, { disabled: true })).disabledAt).not.toBeNull();
    await expect(updateUser(database(), second.id, { role: 'supervisor' })).rejects.toThrow(
      /last enabled admin/,
    );
  });

  it('refuses a username that is taken', async () => {
    await createUser(database(), { username: 'alice', password, role: 'analyst' }, defaults);
    await expect(
      createUser(database(), { username: 'ALICE', password, role: 'admin' }, defaults),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already.*"alice"/) });
    expect(await listUsers(database())).toHaveLength(1);
  });

  it('explains what is wrong with a username, display name, password or role', async () => {
    const create = (input: { username?: string; password?: string; role?: string; displayName?: string }) =>
      createUser(
        database(),
        { username: 'carol', password, role: 'analyst', ...input } as Parameters<typeof createUser>[1],
        defaults,
      );
    for (const username of ['a', '.alice', 'alice smith', 'ålice', 'a'.repeat(41), '']) {
      await expect(create({ username })).rejects.toMatchObject({
        code: 'invalid_argument',
        message: expect.stringMatching(/2 to 40 characters, lowercase letters, digits/),
      });
    }
    await expect(create({ username: 'a'.repeat(40) })).resolves.toMatchObject({ username: 'a'.repeat(40) });
    await expect(create({ password: 'too short' })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/12 to 256 characters/),
    });
    await expect(create({ password: 'x'.repeat(257) })).rejects.toThrow(/12 to 256 characters/);
    await expect(create({ displayName: 'x'.repeat(101) })).rejects.toThrow(/at most 100 characters/);
    await expect(create({ displayName: 'Eve\u0007' })).rejects.toThrow(/control characters/);
    await expect(create({ displayName: 'Eve\u202egnp.exe' })).rejects.toThrow(/control characters/);
    await expect(create({ role: 'platform' })).rejects.toThrow(/use one of analyst, supervisor, admin/);
    await expect(updateUser(database(), 999, { role: 'admin' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(getUserByUsername(database(), 'nobody')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('disables and enables people: disabled people cannot sign in', async () => {
    const alice = await createUser(database(), { username: 'alice', password, role: 'analyst' }, defaults);
    const disabled = await updateUser(database(), alice.id, { disabled: true });
    expect(disabled.disabledAt).toEqual(expect.any(String));
    // Disabling again keeps the original time.
    expect((await updateUser(database(), alice.id, { disabled: true })).disabledAt).toBe(disabled.disabledAt);
    await expect(
      signIn(database(), { username: 'alice', password }, signInOptions(loadConfig({}, { sessionHours: 1 }))),
    ).rejects.toMatchObject({ code: 'unauthenticated', message: 'Wrong username or password.' });
    expect((await updateUser(database(), alice.id, { disabled: false })).disabledAt).toBeNull();
    await expect(
      signIn(database(), { username: 'alice', password }, signInOptions(loadConfig({}, { sessionHours: 1 }))),
    ).resolves.toMatchObject({ user: { id: alice.id } });
  });
});
