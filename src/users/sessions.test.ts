import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../audit/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import { loadConfig } from '../config/index.js';
import {
  checkCsrf,
  createUser,
  resolveSession,
  signIn,
  signInOptions,
  signOut,
  updateUser,
} from './index.js';
import type { User } from './index.js';

const password = 'correct horse battery';
const hours = signInOptions(loadConfig({}, { sessionHours: 12 }));

describeEachEngine('sessions', (database) => {
  const addAlice = (): Promise<User> =>
    createUser(database(), { username: 'alice', password, role: 'analyst' }, { exposureWarning: 50 });
  const sessionRows = () => database().db.selectFrom('sessions').selectAll().execute();

  it('signs in with the right password, resolves the session, and signs out', async () => {
    const alice = await addAlice();
    const at = Date.now();
    const signedIn = await signIn(
      database(),
      { username: 'Alice', password, sourceIp: '192.0.2.7' },
      { ...hours, now: () => at },
    );
    expect(signedIn.user).toEqual(alice);
    expect(signedIn.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signedIn.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(signedIn.expiresAt) - at).toBe(12 * 3_600_000);

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

  describe('back-off', () => {
    const start = Date.parse('2030-01-01T00:00:00Z');
    let clock = start;
    const options = { ...hours, freeAttempts: 3, freeAttemptsPerAddress: 6, now: () => clock };
    const attempt = (username: string, given: string, sourceIp: string) =>
      signIn(database(), { username, password: given, sourceIp }, options).then(
        () => 'signed in',
        (error: Error & { code?: string }) => error.code ?? 'error',
      );

    it('slows guesses at one account from many addresses, and lets the right password in once the wait is over', async () => {
      clock = start;
      await addAlice();
      // Every guess from another address: the address count never grows, the account's does.
      const guesses = [];
      for (let guess = 0; guess < 5; guess += 1) {
        guesses.push(await attempt('alice', `guess ${guess}`, `198.51.100.${guess}`));
      }
      expect(guesses).toEqual([
        'unauthenticated',
        'unauthenticated',
        'unauthenticated',
        'rate_limited',
        'rate_limited',
      ]);
      // Refused attempts are not counted: even the right password waits, then works.
      expect(await attempt('alice', password, '198.51.100.9')).toBe('rate_limited');
      clock += 1000;
      expect(await attempt('alice', 'guess 3', '198.51.100.3')).toBe('unauthenticated');
      // Each further failure doubles the wait: 2 s now.
      clock += 1999;
      expect(await attempt('alice', password, '198.51.100.9')).toBe('rate_limited');
      clock += 1;
      expect(await attempt('alice', password, '198.51.100.9')).toBe('signed in');
      // A success starts the account's count afresh.
      expect(await attempt('alice', 'wrong again', '198.51.100.10')).toBe('unauthenticated');
      expect(await attempt('alice', password, '198.51.100.10')).toBe('signed in');
    });

    it('slows one address trying many usernames, known or not, the same way', async () => {
      clock = start;
      await addAlice();
      const answers = [];
      for (let guess = 0; guess < 7; guess += 1) {
        answers.push(await attempt(`user${guess}`, 'guess', '203.0.113.5'));
      }
      expect(answers).toEqual([...Array<string>(6).fill('unauthenticated'), 'rate_limited']);
      expect(await attempt('alice', password, '203.0.113.5')).toBe('rate_limited');
      expect(await attempt('alice', password, '203.0.113.6')).toBe('signed in');
      clock += 1000;
      expect(await attempt('alice', password, '203.0.113.5')).toBe('signed in');
    });

    it('tells the wait in seconds, and forgets counts a day after the last attempt', async () => {
      clock = start;
      for (let guess = 0; guess < 3; guess += 1) await attempt('nobody', 'guess', '192.0.2.1');
      const refused = await signIn(
        database(),
        { username: 'nobody', password: 'x', sourceIp: '192.0.2.2' },
        options,
      ).catch((error: Error) => error);
      expect(refused).toMatchObject({
        code: 'rate_limited',
        message:
          'Too many sign-in attempts for this username or from this address: wait 1 s, then try again.',
      });
      clock += 24 * 3_600_000;
      const rows = await database()
        .db.selectFrom('sign_in_attempts')
        .selectAll()
        .where('key', '=', 'user:nobody')
        .execute();
      expect(rows).toMatchObject([{ attempts: 3 }]);
      expect(await attempt('nobody', 'guess', '192.0.2.3')).toBe('unauthenticated');
      expect(
        await database()
          .db.selectFrom('sign_in_attempts')
          .select('attempts')
          .where('key', '=', 'user:nobody')
          .execute(),
      ).toEqual([{ attempts: 1 }]);
    });
  });
});
