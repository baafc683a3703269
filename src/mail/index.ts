// The mail domain: mail to people, queued as jobs and sent through the operator's SMTP server.
export { mailKind, enqueueMail, mailHandlers } from './mail.js';
export type { MailMessage, MailConfig } from './mail.js';
