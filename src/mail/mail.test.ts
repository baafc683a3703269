// Mail through a real SMTP conversation with a local sink: queued, sent by a worker, retried or given up.
import { afterEach, expect, it } from 'vitest';
import { WardenError } from '../errors/index.js';
import { getJob } from '../jobs/index.js';
import type { Database } from '../store/index.js';
import { describeEachEngine, runJobsUntilSettled, startSmtpSink } from '../../test/support/index.js';
import type { SmtpSink } from '../../test/support/index.js';
import { enqueueMail, mailHandlers, mailKind } from './index.js';
import type { MailConfig } from './index.js';

const sinks: SmtpSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function sink(options?: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  sinks.push(started);
  return started;
}

/** Runs a mail worker until every mail job has settled (done or dead). */
function sendAll(database: Database, config: MailConfig): Promise<void> {
  return runJobsUntilSettled(database, mailKind, {
    concurrency: 2,
    backoff: { baseMs: 20, maxMs: 50 },
    handlers: mailHandlers(config),
  });
}

describeEachEngine('mail', (database) => {
  it('sends a queued mail through SMTP with its subject and text', async () => {
    const smtp = await sink();
    const text =
      'Thank you for your report.\nReference: WR-1234\n\nWe look at every report — Grüße.\n' +
      'x'.repeat(200);
    const id = await enqueueMail(database().db, {
      to: 'reporter@example.org',
      subject: 'Your report\r\nBcc: injected@example.org',
      text,
    });
    expect((await getJob(database(), id)).maxAttempts).toBe(10);
    await sendAll(database(), { smtpUrl: smtp.url, mailFrom: 'Warden <warden@hotline.example>' });
    expect((await getJob(database(), id)).status).toBe('done');
    expect(smtp.messages).toHaveLength(1);
    const [message] = smtp.messages;
    expect(message).toMatchObject({
      from: 'Warden <warden@hotline.example>',
      to: ['reporter@example.org'],
      subject: 'Your report Bcc: injected@example.org',
    });
    expect(message?.text.replace(/\r\n/g, '\n').trimEnd()).toBe(text.trimEnd());
    expect(message?.headers['message-id']).toBe(`<warden-mail-${id}@hotline.example>`);
    expect(message?.headers['auto-submitted']).toBe('auto-generated');
  });

  it('queues a mail once per dedupe key, and to several recipients', async () => {
    const smtp = await sink();
    const first = await enqueueMail(
      database().db,
      { to: ['a@example.org', 'b@example.org'], subject: 'S', text: 'T' },
      'notice:1',
    );
    const second = await enqueueMail(
      database().db,
      { to: ['a@example.org'], subject: 'S', text: 'T' },
      'notice:1',
    );
    expect(second).toBe(first);
    await sendAll(database(), { smtpUrl: smtp.url, mailFrom: 'warden@localhost' });
    expect(smtp.messages.map((message) => message.to)).toEqual([['a@example.org', 'b@example.org']]);
  });

  it('refuses recipients that are not plain addresses', async () => {
    for (const to of [
      '',
      'no-at-sign',
      'a@b.example, c@d.example',
      'Name <a@b.example>',
      'a@b.example\r\nBcc: x@y',
    ]) {
      await expect(enqueueMail(database().db, { to, subject: 's', text: 't' })).rejects.toBeInstanceOf(
        WardenError,
      );
    }
    await expect(enqueueMail(database().db, { to: [], subject: 's', text: 't' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('gives up at once when mail is not configured, saying what to set', async () => {
    const id = await enqueueMail(database().db, { to: 'reporter@example.org', subject: 's', text: 't' });
    await sendAll(database(), { mailFrom: 'warden@localhost' });
    const job = await getJob(database(), id);
    expect(job).toMatchObject({ status: 'dead', attempts: 1 });
    expect(job.lastError).toMatch(/^Mail is not configured: set WARDEN_SMTP_URL/);
  });

  it('gives up on a permanent refusal without naming the address, and retries a server that is away', async () => {
    const smtp = await sink({ refuse: (address) => address.startsWith('nobody@') });
    const refused = await enqueueMail(database().db, { to: 'nobody@example.org', subject: 's', text: 't' });
    await sendAll(database(), { smtpUrl: smtp.url, mailFrom: 'warden@localhost' });
    const job = await getJob(database(), refused);
    expect(job).toMatchObject({ status: 'dead', attempts: 1 });
    expect(job.lastError).toMatch(/refused the message.*550 5.1.1 <<address>>: Mailbox unavailable/);
    expect(job.lastError).not.toContain('nobody@example.org');

    // Nothing listens on the sink's port once it is closed: a transient failure, retried to the end.
    const closed = await sink();
    await closed.close();
    sinks.splice(sinks.indexOf(closed), 1);
    const away = await enqueueMail(database().db, { to: 'reporter@example.org', subject: 's', text: 't' });
    await database().db.updateTable('jobs').set({ max_attempts: 2 }).where('id', '=', away).execute();
    await sendAll(database(), { smtpUrl: closed.url, mailFrom: 'warden@localhost' });
    const retried = await getJob(database(), away);
    expect(retried).toMatchObject({ status: 'dead', attempts: 2 });
    expect(retried.lastError).toMatch(/^Could not send the mail: .*ECONNREFUSED/);
  });
});
