// The one configuration schema. Each field has a default and one environment variable; the CLI parses it
// once at start-up (`loadConfig(process.env)`) and passes the result down. Nothing else reads process.env.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { WardenError } from '../errors/index.js';

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Review grades per category: the UK categories for CSAM; other categories are decided without a grade. */
const defaultGrades: Record<string, string[]> = {
  csam: ['A', 'B', 'C'],
  terrorism: [],
  ncii: [],
  harassment: [],
  other: [],
};
const gradesSchema = z.record(
  z.string().regex(/^[a-z0-9_-]{1,40}$/),
  z.array(z.string().min(1).max(20)).max(20),
);

/**
 * What a blocked search shows instead of results, per category (`*` for the rest): the practice of
 * search engines for abuse-seeking queries is a warning and a route to confidential help.
 */
const defaultDeterrence: Record<string, { message: string; help_url: string }> = {
  csam: {
    message:
      'Sexual images of children are illegal. Viewing, sharing or searching for them causes real harm. If you are worried about your thoughts or behaviour, confidential help is available.',
    help_url: 'https://www.stopitnow.org.uk/',
  },
  '*': {
    message: 'This search was blocked because it may lead to harmful or illegal content.',
    help_url: '',
  },
};
const deterrenceSchema = z.record(
  z.string().regex(/^([a-z][a-z0-9_-]{0,31}|\*)$/),
  z.object({ message: z.string().min(1).max(1000), help_url: z.string().max(2048) }),
);

/**
 * Jobs of each kind a worker runs at once. Kinds have slots of their own, so slow report fetches never
 * hold back webhook deliveries; a kind named here must be one of these.
 */
const defaultWorkerConcurrency: Record<string, number> = {
  'webhook.deliver': 4,
  'mail.send': 2,
  'report.fetch': 2,
  'crawl.confirmed': 1,
};
const workerConcurrencySchema = z
  .record(z.string(), z.number().int().min(1).max(256))
  .refine((slots) => Object.keys(slots).every((kind) => kind in defaultWorkerConcurrency))
  // The kinds not named keep their defaults.
  .transform((slots) => ({ ...defaultWorkerConcurrency, ...slots }));

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A setting written as JSON: parsed and checked against `schema`, else refused with `expected`. */
function jsonSetting<T>(schema: z.ZodType<T>, fallback: T, expected: string) {
  return z
    .string()
    .default(JSON.stringify(fallback))
    .transform((text, context) => {
      const parsed = schema.safeParse(parseJson(text));
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    });
}

/** A comma-separated list; spaces around entries and empty entries are dropped. */
const list = () =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    );

/** An IP address, a CIDR range (address/prefix), or one of proxy-addr's names for the usual ranges. */
function isAddressOrRange(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * The matching defaults, in one place: what the configuration falls back to, and what code that runs
 * without a configuration (an index or matcher built directly, a test, a bench) assumes. PDQ distance 31
 * is Meta's recommended match threshold.
 */
export const matchingDefaults: Readonly<{
  pdqThreshold: number;
  maxPdqThreshold: number;
  maxMatches: number;
}> = {
  pdqThreshold: 31,
  maxPdqThreshold: 63,
  maxMatches: 100,
};

/** Field name → [environment variable, schema]. The schema's default is the embedded default. */
const fields = {
  dataDir: ['WARDEN_DATA_DIR', z.string().min(1).default('./data')],
  databaseUrl: [
    'DATABASE_URL',
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ],
  logLevel: [
    'WARDEN_LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ],
  host: ['WARDEN_HOST', z.string().min(1).default('127.0.0.1')],
  port: ['WARDEN_PORT', integer(0, 65535).default(8080)],
  matchThreshold: ['WARDEN_MATCH_THRESHOLD', integer(0, 256).default(matchingDefaults.pdqThreshold)],
  // Bounds on what one match query may ask for and get: bank entries are confidential, and a threshold near
  // 128 would match them all.
  maxPdqThreshold: ['WARDEN_MAX_PDQ_THRESHOLD', integer(0, 256).default(matchingDefaults.maxPdqThreshold)],
  maxMatches: ['WARDEN_MAX_MATCHES', integer(1, 100_000).default(matchingDefaults.maxMatches)],
  minQuality: ['WARDEN_MIN_QUALITY', integer(0, 100).default(50)],
  maxImageBytes: ['WARDEN_MAX_IMAGE_BYTES', integer(1, 2 ** 31).default(50 * 1024 * 1024)],
  maxImagePixels: ['WARDEN_MAX_IMAGE_PIXELS', integer(1, 2 ** 31).default(100_000_000)],
  indexRefreshMs: ['WARDEN_INDEX_REFRESH_MS', integer(50, 3_600_000).default(1000)],
  hashingThreads: ['WARDEN_HASHING_THREADS', integer(0, 256).default(0)],
  serverProcesses: ['WARDEN_SERVER_PROCESSES', integer(1, 256).default(1)],
  serveWorker: ['WARDEN_SERVE_WORKER', z.stringbool().default(true)],
  rateLimitPerMinute: ['WARDEN_RATE_LIMIT_PER_MINUTE', integer(1, 10_000_000).default(60_000)],
  maxRequestBytes: ['WARDEN_MAX_REQUEST_BYTES', integer(1024, 2 ** 31).default(64 * 1024 * 1024)],
  // Anonymous callers (public reports, sign-in) send a few kilobytes at most; more is refused unread.
  publicMaxBodyBytes: ['WARDEN_PUBLIC_MAX_BODY_BYTES', integer(1024, 1024 * 1024).default(16 * 1024)],
  jobLeaseMs: ['WARDEN_JOB_LEASE_MS', integer(1000, 3_600_000).default(30_000)],
  workerConcurrency: [
    'WARDEN_WORKER_CONCURRENCY',
    jsonSetting(
      workerConcurrencySchema,
      defaultWorkerConcurrency,
      `must be JSON giving job kinds (${Object.keys(defaultWorkerConcurrency).join(', ')}) the number each worker runs at once (1-256), e.g. {"report.fetch":4}; kinds left out keep their defaults`,
    ),
  ],
  webhookTimeoutMs: ['WARDEN_WEBHOOK_TIMEOUT_MS', integer(100, 600_000).default(10_000)],
  webhookMaxAttempts: ['WARDEN_WEBHOOK_MAX_ATTEMPTS', integer(1, 100).default(10)],
  // Fetching a reported URL's media: each request, the whole fetch, images per page, and the largest image
  // kept. Reports come from anyone, so the pixel cap is below the one for authenticated uploads.
  fetchTimeoutMs: ['WARDEN_FETCH_TIMEOUT_MS', integer(100, 600_000).default(30_000)],
  fetchDeadlineMs: ['WARDEN_FETCH_DEADLINE_MS', integer(100, 3_600_000).default(60_000)],
  fetchMaxImages: ['WARDEN_FETCH_MAX_IMAGES', integer(1, 1000).default(20)],
  fetchMaxPixels: ['WARDEN_FETCH_MAX_PIXELS', integer(1, 2 ** 31).default(25_000_000)],
  // The console renews its claim every third of this while the case is open, so a closed tab frees the
  // case within this time even when its last request never arrived.
  caseLockMs: ['WARDEN_CASE_LOCK_MS', integer(10_000, 86_400_000).default(2 * 60_000)],
  twoPersonRule: ['WARDEN_TWO_PERSON_RULE', z.stringbool().default(true)],
  revealBeforeConfirm: ['WARDEN_REVEAL_BEFORE_CONFIRM', z.stringbool().default(true)],
  // A repeat of the same content from the same source within this many minutes adds an occurrence to
  // the report already filed instead of filing another; 0 files every repeat.
  repeatWindowMinutes: ['WARDEN_REPEAT_WINDOW_MINUTES', integer(0, 525_600).default(60)],
  grades: [
    'WARDEN_GRADES',
    jsonSetting(
      gradesSchema,
      defaultGrades,
      'must be JSON mapping each category to its grades, e.g. {"csam":["A","B","C"],"other":[]}',
    ),
  ],
  sessionHours: ['WARDEN_SESSION_HOURS', integer(1, 24 * 30).default(12)],
  cookieSecure: ['WARDEN_COOKIE_SECURE', z.enum(['auto', 'true', 'false']).default('auto')],
  // Sign-in back-off: after this many attempts per username (per address), each further attempt waits
  // twice as long as the one before, up to the maximum; a success clears the username's count.
  signInFreeAttempts: ['WARDEN_SIGN_IN_FREE_ATTEMPTS', integer(1, 1000).default(5)],
  signInFreeAttemptsPerAddress: ['WARDEN_SIGN_IN_FREE_PER_IP', integer(1, 100_000).default(20)],
  signInMaxWaitMs: ['WARDEN_SIGN_IN_MAX_WAIT_MS', integer(1000, 86_400_000).default(900_000)],
  publicReportsPerHour: ['WARDEN_PUBLIC_REPORTS_PER_HOUR', integer(1, 1_000_000).default(30)],
  exposureWarning: ['WARDEN_EXPOSURE_WARNING', integer(1, 100_000).default(50)],
  smtpUrl: [
    'WARDEN_SMTP_URL',
    z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
  ],
  mailFrom: ['WARDEN_MAIL_FROM', z.string().min(3).default('Warden <warden@localhost>')],
  evidenceKey: [
    'WARDEN_EVIDENCE_KEY',
    z
      .string()
      .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex digits or base64')
      .optional(),
  ],
  blobDir: ['WARDEN_BLOB_DIR', z.string().min(1).optional()],
  // Term blocking: the severity (1-5) from which a match blocks rather than goes to review, and what a
  // blocked search shows.
  textBlockSeverity: ['WARDEN_TEXT_BLOCK_SEVERITY', integer(1, 5).default(3)],
  textDeterrence: [
    'WARDEN_TEXT_DETERRENCE',
    jsonSetting(
      deterrenceSchema,
      defaultDeterrence,
      'must be JSON like {"csam":{"message":"…","help_url":"https://…"},"*":{"message":"…","help_url":""}}',
    ),
  ],
  // Crawls: the defaults a new crawl takes (each crawl may set its own), and the background crawling
  // of `warden serve` and `warden worker`.
  crawlMaxPages: ['WARDEN_CRAWL_MAX_PAGES', integer(1, 100_000_000).default(1000)],
  crawlMaxDepth: ['WARDEN_CRAWL_MAX_DEPTH', integer(0, 1000).default(3)],
  crawlHostDelayMs: ['WARDEN_CRAWL_HOST_DELAY_MS', integer(0, 3_600_000).default(1000)],
  crawlHostConcurrency: ['WARDEN_CRAWL_HOST_CONCURRENCY', integer(1, 256).default(2)],
  crawlConcurrency: ['WARDEN_CRAWL_CONCURRENCY', integer(1, 1024).default(16)],
  crawlsPerProcess: ['WARDEN_CRAWLS_PER_PROCESS', integer(0, 64).default(2)],
  crawlConfirmed: ['WARDEN_CRAWL_CONFIRMED', z.stringbool().default(false)],
  geoIpFile: ['WARDEN_GEOIP_FILE', z.string().min(1).optional()],
  networkAllow: ['WARDEN_NETWORK_ALLOW', list()],
  // The reverse proxies in front of Warden, whose X-Forwarded-For and X-Forwarded-Proto are believed;
  // none by default, so that a client cannot claim another address to escape its rate limit.
  trustProxy: [
    'WARDEN_TRUST_PROXY',
    list().superRefine((entries, context) => {
      const wrong = entries.filter((entry) => !isAddressOrRange(entry));
      if (wrong.length === 0) return;
      context.addIssue({
        code: 'custom',
        message: `"${wrong.join('", "')}" is not an address or CIDR range; give the proxies' addresses or ranges separated by commas, e.g. 10.0.0.5,192.168.0.0/16,::1`,
      });
    }),
  ],
} as const;

type Fields = typeof fields;
type ParsedConfig = { [K in keyof Fields]: z.output<Fields[K][1]> };
/** The configuration; `blobDir` defaults to `blobs` inside the data directory. */
export type Config = Omit<ParsedConfig, 'blobDir'> & { blobDir: string };

/** The environment variable behind each configuration field, for help texts and the README. */
export const configEnvironment: Record<keyof Config, string> = Object.fromEntries(
  Object.entries(fields).map(([key, [variable]]) => [key, variable]),
) as Record<keyof Config, string>;

/**
 * Parses configuration from an environment (normally process.env). Empty strings count as unset.
 * Throws a WardenError naming every variable that is wrong and what it must be.
 */
export function loadConfig(
  environment: Record<string, string | undefined>,
  overrides: Partial<Config> = {},
): Config {
  const shape = Object.fromEntries(Object.entries(fields).map(([key, [, schema]]) => [key, schema]));
  const raw = Object.fromEntries(
    Object.entries(fields).map(([key, [variable]]) => {
      const value = environment[variable];
      return [key, value === undefined || value === '' ? undefined : value];
    }),
  );
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof Config;
      return `${configEnvironment[key]}: ${issue.message}`;
    });
    throw new WardenError('configuration', `Invalid configuration. ${problems.join('; ')}.`);
  }
  const config = { ...(parsed.data as ParsedConfig), ...definedOnly(overrides) };
  if (config.matchThreshold > config.maxPdqThreshold) {
    throw new WardenError(
      'configuration',
      `Invalid configuration. WARDEN_MATCH_THRESHOLD (${config.matchThreshold}) is above WARDEN_MAX_PDQ_THRESHOLD (${config.maxPdqThreshold}): lower the first or raise the second.`,
    );
  }
  const dataDir = resolve(config.dataDir);
  return { ...config, dataDir, blobDir: resolve(config.blobDir ?? `${dataDir}/blobs`) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
