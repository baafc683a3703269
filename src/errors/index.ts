// The one error type users see. Anything thrown that is not a WardenError is a bug: it is logged with
// context and answered as an internal error without details.

export type WardenErrorCode =
  | 'invalid_argument'
  | 'invalid_hash'
  | 'invalid_import'
  | 'not_found'
  | 'conflict'
  | 'unsupported_media'
  | 'corrupt_media'
  | 'too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited'
  | 'configuration'
  | 'unavailable'
  | 'internal';

const statusByCode: Record<WardenErrorCode, number> = {
  invalid_argument: 400,
  invalid_hash: 400,
  invalid_import: 400,
  not_found: 404,
  conflict: 409,
  unsupported_media: 422,
  corrupt_media: 422,
  too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  configuration: 500,
  unavailable: 503,
  internal: 500,
};

/**
 * Whether trying again later may help, by code: a server that is unavailable or rate-limits may answer
 * next time; a refused address, a malformed input or a missing thing will not change by themselves.
 */
const retryableCodes: ReadonlySet<WardenErrorCode> = new Set(['unavailable', 'rate_limited']);

export class WardenError extends Error {
  readonly code: WardenErrorCode;
  readonly status: number;
  /** Structured detail a client can act on (e.g. the line numbers of a rejected import). */
  readonly details: Record<string, unknown> | undefined;
  /** Whether the same work may succeed if tried again later (decides job and crawl retries). */
  readonly retryable: boolean;

  constructor(
    code: WardenErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.status = statusByCode[code];
    this.details = details;
    this.retryable = options.retryable ?? retryableCodes.has(code);
  }

  toJSON(): { code: WardenErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isWardenError(value: unknown): value is WardenError {
  return value instanceof WardenError;
}

/** Thrown by background work when trying again cannot help: the work goes to dead at once. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/**
 * Whether work that failed with this error is worth another attempt. A WardenError says so itself (see
 * retryableCodes); a NonRetryableError never is; anything else (a dropped connection, a timeout, a bug
 * that may be a race) is tried again, up to the attempts allowed.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NonRetryableError) return false;
  if (isWardenError(error)) return error.retryable;
  return true;
}

/** What a user may see of any thrown value: a WardenError as it is, anything else as an opaque internal error. */
export function toUserError(value: unknown): WardenError {
  return isWardenError(value)
    ? value
    : new WardenError(
        'internal',
        'Internal error. The details were logged; please report this if it persists.',
      );
}
