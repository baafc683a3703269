import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from './signature.js';
import { verifyWebhookSignature } from './index.js';

const secret = 'R2FyZGVuLXRlc3Qtc2VjcmV0LW5vdC1yZWFsLTAxMjM0NTY3';
const body = '{"id":"e1","type":"match.verdict","created_at":"2025-01-01T00:00:00.000Z","data":{"é":1}}';
const sentAt = 1_700_000_000;

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 keyed by the secret, in hex', () => {
    const expected = createHmac('sha256', secret).update(`${sentAt}.${body}`, 'utf8').digest('hex');
    expect(signatureHeader(secret, body, sentAt)).toBe(`t=${sentAt},v1=${expected}`);
  });

  it('verifies a signature over the raw bytes, within the tolerance', () => {
    const header = signatureHeader(secret, body, sentAt);
    expect(verifyWebhookSignature(secret, header, body, 300, sentAt + 10)).toBe(true);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body, 'utf8'), 300, sentAt - 10)).toBe(true);
    expect(verifyWebhookSignature(secret, ` ${header.replace(',', ' , ')} `, body, 300, sentAt)).toBe(true);
  });

  it('accepts any one of several v1 signatures, so receivers can rotate secrets', () => {
    const header = `${signatureHeader(secret, body, sentAt)},v1=${'0'.repeat(64)}`;
    expect(verifyWebhookSignature(secret, header, body, 300, sentAt)).toBe(true);
    const otherFirst = `t=${sentAt},v1=${'a'.repeat(64)},${signatureHeader(secret, body, sentAt).split(',')[1]}`;
    expect(verifyWebhookSignature(secret, otherFirst, body, 300, sentAt)).toBe(true);
  });

  it.each([
    [
      'another secret',
      () => verifyWebhookSignature('other', signatureHeader(secret, body, sentAt), body, 300, sentAt),
    ],
    [
      'a changed body',
      () => verifyWebhookSignature(secret, signatureHeader(secret, body, sentAt), `${body} `, 300, sentAt),
    ],
    [
      'a replay after the tolerance',
      () => verifyWebhookSignature(secret, signatureHeader(secret, body, sentAt), body, 300, sentAt + 301),
    ],
    [
      'a changed timestamp',
      () =>
        verifyWebhookSignature(
          secret,
          signatureHeader(secret, body, sentAt).replace(`t=${sentAt}`, `t=${sentAt + 1}`),
          body,
          300,
          sentAt,
        ),
    ],
    ['no signature', () => verifyWebhookSignature(secret, `t=${sentAt}`, body, 300, sentAt)],
    ['no timestamp', () => verifyWebhookSignature(secret, `v1=${'0'.repeat(64)}`, body, 300, sentAt)],
    ['a malformed signature', () => verifyWebhookSignature(secret, `t=${sentAt},v1=xyz`, body, 300, sentAt)],
    ['an empty header', () => verifyWebhookSignature(secret, '', body, 300, sentAt)],
  ])('refuses %s', (_case, verify) => {
    expect(verify()).toBe(false);
  });
});
