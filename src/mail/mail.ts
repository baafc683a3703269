// Mail: messages to people (a reporter's acknowledgement, an analyst's notice) queued as jobs and sent by
// a worker through the operator's SMTP server. Queuing makes a mail part of the change that calls for it
// (it is sent only if that change commits) and rides out an SMTP server that is briefly away.
import type { Kysely } from 'kysely';
import { createTransport } from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import { z } from 'zod';
import { configEnvironment } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import { NonRetryableError, enqueueJob } from '../jobs/index.js';
import type { ClaimedJob, JobHandler, JobId } from '../jobs/index.js';
import type { Schema } from '../store/index.js';

/** The job kind of a queued mail. */
export const mailKind = 'mail.send';

export interface MailMessage {
  /** One address or several (plain addresses: person@example.org). */
  to: string | readonly string[];
  subject: string;
  /** Plain text. */
  text: string;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL of the SMTP server (WARDEN_SMTP_URL); unset, mail stays queued and fails. */
  smtpUrl?: string | undefined;
  /** The From header (WARDEN_MAIL_FROM). */
  mailFrom: string;
}

const mailPayload = z.object({
  to: z.array(z.string()).min(1),
  subject: z.string(),
  text: z.string(),
});

const maxAttempts = 10;
const maxRecipients = 50;
const addressPattern = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;
// Error codes of Nodemailer that another attempt would meet again.
const permanentCodes = new Set(['EENVELOPE', 'ECONFIG', 'EMAXRECIPIENTS', 'EAUTH']);

/**
 * Queues a mail. Pass a transaction to send it only if the change that calls for it commits; a
 * `dedupeKey` makes a second enqueue of the same mail a no-op. Throws 'invalid_argument' for a recipient
 * that is not a plain address.
 */
export async function enqueueMail(
  db: Kysely<Schema>,
  message: MailMessage,
  dedupeKey?: string,
): Promise<JobId> {
  const to = (typeof message.to === 'string' ? [message.to] : [...message.to]).map((address) =>
    address.trim(),
  );
  if (to.length === 0 || to.length > maxRecipients) {
    throw new WardenError(
      'invalid_argument',
      `A mail needs 1 to ${maxRecipients} recipients; got ${to.length}.`,
    );
  }
  to.forEach((address, index) => {
    if (!addressPattern.test(address)) {
      throw new WardenError(
        'invalid_argument',
        `Recipient ${index + 1} is not a plain email address (expected the form person@example.org).`,
      );
    }
  });
  // A line break in a subject would start a new header.
  const subject = message.subject.replace(/[\r\n]+/g, ' ').trim();
  return enqueueJob(db, {
    kind: mailKind,
    payload: { to, subject, text: message.text },
    maxAttempts,
    ...(dedupeKey === undefined ? {} : { dedupeKey }),
  });
}

/**
 * The job handler that sends queued mail. A permanent refusal by the SMTP server (5xx) sends the job to
 * dead at once; anything else (the server unreachable, a 4xx) is retried with back-off. Without an SMTP
 * URL every mail job fails for a person to see. Addresses and bodies are never written to logs.
 */
export function mailHandlers(config: MailConfig): Record<string, JobHandler> {
  let transport: ReturnType<typeof smtpTransport> | undefined;
  return {
    [mailKind]: async (job: ClaimedJob, signal: AbortSignal) => {
      if (config.smtpUrl === undefined || config.smtpUrl === '') {
        throw new NonRetryableError(
          `Mail is not configured: set ${configEnvironment.smtpUrl} (for example smtp://mail.example.org:587) and retry this job.`,
        );
      }
      const parsed = mailPayload.safeParse(job.payload);
      if (!parsed.success) throw new NonRetryableError(`Malformed mail payload: ${parsed.error.message}`);
      transport ??= smtpTransport(config.smtpUrl);
      try {
        await transport.sendMail({
          from: config.mailFrom,
          to: parsed.data.to,
          subject: parsed.data.subject,
          text: parsed.data.text,
          // One id per job: if a worker dies after sending, the mail sent again carries the same id,
          // which lets receiving systems drop the copy.
          messageId: `<warden-mail-${job.id}@${senderDomain(config.mailFrom)}>`,
          headers: { 'Auto-Submitted': 'auto-generated' },
          signal,
        });
      } catch (error) {
        throw sendFailure(error);
      }
    },
  };
}

function smtpTransport(smtpUrl: string) {
  const url = new URL(smtpUrl);
  // A local test sink offers no TLS; anywhere else Nodemailer's defaults apply (STARTTLS when offered).
  const local = url.protocol === 'smtp:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return createTransport({
    url: smtpUrl,
    ...(local ? { ignoreTLS: true } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
}

function sendFailure(error: unknown): Error {
  const failure = error as NodemailerError;
  const reason = redactAddresses(error instanceof Error ? error.message || error.name : String(error));
  const permanent =
    failure.permanent ??
    (failure.responseCode !== undefined
      ? failure.responseCode >= 500 && failure.responseCode !== 503
      : undefined) ??
    permanentCodes.has(failure.code ?? '');
  return permanent
    ? new NonRetryableError(
        `The mail server refused the message: ${reason}. Check the recipients and ${configEnvironment.smtpUrl}, then retry.`,
      )
    : new Error(`Could not send the mail: ${reason}`);
}

/** Server replies often quote the recipient; job errors are shown to admins and may reach logs. */
function redactAddresses(text: string): string {
  return text.replace(/[^\s<>"'@:;,]+@[^\s<>"'@:;,]+/g, '<address>');
}

function senderDomain(mailFrom: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'localhost';
}
