import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import { checkCsrf, createUser, resolveSession, signIn, signOut, updateUser } from './index.js';
import type { User } from './index.js';

const password = 'correct horse battery';
const hours = { sessionHours: 12 };

describeEachEngine('sessions', (database) => {
  const addAlice = (): Promise<User> =>
    createUser(database(), { username: 'alice', password, role: 'analyst' }, { exposureWarning: 50 });
  const sessionRows = () => database().db.selectFrom('sessions').selectAll().execute();

  it('signs in with the right password, resolves the session, and signs out', async () => {
    const alice = await addAlice();
    const before = Date.now();
    const signedIn = await signIn(database(), { username: 'Alice', password, sourceIp: '192.0.2.7' }, hours);
    expect(signedIn.user).toEqual(alice);
    expect(signedIn.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signedIn.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Twelve hours from the sign-in, however long the sign-in itself took.
    const after = Date.now();
    const expires = Date.parse(signedIn.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 12 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(after + 12 * 3_600_000);

    // Only the token's SHA-256 is stored.
    const [row] = await sessionRows();
    expect(row).toMatchObject({
      user_id: alice.id,
      source_ip: '192.0.2.7',
      token_hash: createHash('sha256').update(signedIn.token).digest('hex'),
    });
    expect(JSON.stringify(await sessionRows())).not.toContain(signedIn.token);

    const resolved = await resolveSession(database(), signedIn.token);
    expect(resolved).toEqual({
      user: alice,
      sessionId: row?.id,
      csrfToken: signedIn.csrfToken,
      expiresAt: signedIn.expiresAt,
    });
    expect(await resolveSession(database(), signedIn.token.slice(1))).toBeUndefined();
    expect(await resolveSession(database(), '')).toBeUndefined();

    const audit = await listAudit(database(), { action: 'user.sign_in' });
    expect(audit).toMatchObject([{ actor: `user:${alice.id}`, sourceIp: '192.0.2.7' }]);
    expect(JSON.stringify(audit)).not.toContain(signedIn.token);

    await signOut(database(), signedIn.token);
    expect(await resolveSession(database(), signedIn.token)).toBeUndefined();
    expect(await sessionRows()).toEqual([]);
    await signOut(database(), signedIn.token);
  });

  it('gives the same answer for a wrong password, an unknown username and a disabled person', async () => {
    const alice = await addAlice();
    const attempt = (username: string, given: string) =>
      signIn(database(), { username, password: given }, hours).then(
        () => 'signed in',
        (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
      );
    const refused = 'unauthenticated: Wrong username or password.';
    expect(await attempt('alice', 'correct horse batterY')).toBe(refused);
    expect(await attempt('mallory', password)).toBe(refused);
    await updateUser(database(), alice.id, { disabled: true });
    expect(await attempt('alice', password)).toBe(refused);
    expect(await sessionRows()).toEqual([]);
  });

  it('ends sessions when they expire, deleting the expired row', async () => {
    await addAlice();
    const signedIn = await signIn(database(), { username: 'alice', password }, hours);
    await database()
      .db.updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    expect(await resolveSession(database(), signedIn.token)).toBeUndefined();
    expect(await sessionRows()).toEqual([]);
  });

  it('updates last_seen_at at most once a minute', async () => {
    await addAlice();
    const signedIn = await signIn(database(), { username: 'alice', password }, hours);
    const old = new Date(Date.now() - 5 * 60_000).toISOString();
    await database().db.updateTable('sessions').set({ last_seen_at: old }).execute();
    await resolveSession(database(), signedIn.token);
    const seen = (await sessionRows())[0]?.last_seen_at ?? '';
    expect(seen > old).toBe(true);
    await resolveSession(database(), signedIn.token);
    expect((await sessionRows())[0]?.last_seen_at).toBe(seen);
  });

  it('ends every session of a person who is disabled or whose password changes', async () => {
    const alice = await addAlice();
    const bob = await createUser(
      database(),
      { username: 'bob', password, role: 'admin' },
      { exposureWarning: 50 },
    );
    const first = await signIn(database(), { username: 'alice', password }, hours);
    const second = await signIn(database(), { username: 'alice', password }, hours);
    const bobs = await signIn(database(), { username: 'bob', password }, hours);

    await updateUser(database(), alice.id, { password: 'another good password' });
    expect(await resolveSession(database(), first.token)).toBeUndefined();
    expect(await resolveSession(database(), second.token)).toBeUndefined();
    await expect(signIn(database(), { username: 'alice', password }, hours)).rejects.toThrow(/Wrong/);
    const third = await signIn(database(), { username: 'alice', password: 'another good password' }, hours);

    // A role change alone keeps sessions.
    await updateUser(database(), alice.id, { role: 'supervisor' });
    expect((await resolveSession(database(), third.token))?.user.role).toBe('supervisor');

    await updateUser(database(), alice.id, { disabled: true });
    expect(await resolveSession(database(), third.token)).toBeUndefined();
    expect((await sessionRows()).map((row) => row.user_id)).toEqual([bob.id]);
    expect((await resolveSession(database(), bobs.token))?.user.id).toBe(bob.id);
  });

  it('checks CSRF tokens against the session token', async () => {
    await addAlice();
    const one = await signIn(database(), { username: 'alice', password }, hours);
    const two = await signIn(database(), { username: 'alice', password }, hours);
    expect(checkCsrf(one.token, one.csrfToken)).toBe(true);
    expect(checkCsrf(two.token, two.csrfToken)).toBe(true);
    expect(one.csrfToken).not.toBe(two.csrfToken);
    expect(checkCsrf(one.token, two.csrfToken)).toBe(false);
    expect(checkCsrf(one.token, undefined)).toBe(false);
    expect(checkCsrf(one.token, '')).toBe(false);
    expect(checkCsrf(one.token, one.csrfToken.slice(0, -1))).toBe(false);
    expect(checkCsrf(one.token, `${one.csrfToken}x`)).toBe(false);
    expect(checkCsrf('', one.csrfToken)).toBe(false);
    expect((await resolveSession(database(), one.token))?.csrfToken).toBe(one.csrfToken);
  });
});
