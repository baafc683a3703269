// Retries are decided by the error, explicitly: what may pass is tried again, what will not is final.
import { describe, expect, it } from 'vitest';
import { NonRetryableError, WardenError, isRetryable } from './index.js';

describe('isRetryable', () => {
  it('tries again a server that is unavailable or rate-limits, and a network failure', () => {
    expect(isRetryable(new WardenError('unavailable', 'The host answered 503.'))).toBe(true);
    expect(isRetryable(new WardenError('rate_limited', 'Too many requests.'))).toBe(true);
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
  });

  it('does not try again what will not change: refusals, bad input, missing things, or a 404', () => {
    for (const code of [
      'forbidden',
      'invalid_argument',
      'not_found',
      'too_large',
      'corrupt_media',
    ] as const) {
      expect(isRetryable(new WardenError(code, 'No.'))).toBe(false);
    }
    expect(
      isRetryable(new WardenError('unavailable', 'Gone: 404.', { status: 404 }, { retryable: false })),
    ).toBe(false);
    expect(isRetryable(new NonRetryableError('The job names no case.'))).toBe(false);
  });
});
