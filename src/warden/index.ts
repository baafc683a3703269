// The composition root: every service a Warden process works with, built once from the configuration,
// for `warden serve`, `warden worker`, `warden crawl` and the other commands alike. Each of them takes
// only what it uses from here; nothing else builds a matcher, a network guard or the content pipeline.
import { pino } from 'pino';
import type { Logger } from 'pino';
import { KeyVerifier } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { EvidenceStore } from '../evidence/index.js';
import { createHashingPool, hashingPoolOptions } from '../hashing/index.js';
import type { HashingPool } from '../hashing/index.js';
import { Matcher, textRuleSource } from '../matching/index.js';
import { GeoIpTable, NetworkGuard } from '../network/index.js';
import { ContentPipeline } from '../pipeline/index.js';
import { Policy } from '../policy/index.js';
import { Casework, caseworkOptions } from '../reports/index.js';
import { openDatabase } from '../store/index.js';
import type { Database } from '../store/index.js';
import { TextBanks } from '../text/index.js';

export interface Warden {
  config: Config;
  logger: Logger;
  database: Database;
  matcher: Matcher;
  /** The hashing threads, started on first use (commands that never hash an upload never start them). */
  readonly hashing: HashingPool;
  policy: Policy;
  keys: KeyVerifier;
  casework: Casework;
  evidence: EvidenceStore;
  text: TextBanks;
  /** The one network guard of the process: every fetch goes through it. */
  guard: NetworkGuard;
  /** Hosting countries, when the operator supplied a GeoIP table. */
  geo: GeoIpTable | undefined;
  pipeline: ContentPipeline;
}

export interface OpenOptions {
  /** A database opened already (tests); it is left open on close. */
  database?: Database;
  /** Hosts the guard allows beyond WARDEN_NETWORK_ALLOW (a crawl's own allow-list). */
  allow?: readonly string[];
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    // Keys and secrets never reach the log, even by accident.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.key',
        '*.secret',
        '*.password',
        'databaseUrl',
        'evidenceKey',
        'smtpUrl',
      ],
      censor: '[redacted]',
    },
  });
}

/** Opens everything a process needs; `close` releases it in reverse order. */
export async function openWarden(
  config: Config,
  logger: Logger,
  options: OpenOptions = {},
): Promise<Warden & { close(): Promise<void> }> {
  const database =
    options.database ?? (await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }));
  const matcher = await Matcher.open(database, {
    defaultThreshold: config.matchThreshold,
    maxThreshold: config.maxPdqThreshold,
    maxMatches: config.maxMatches,
    minQuality: config.minQuality,
    refreshMs: config.indexRefreshMs,
    onRefreshError: (error) =>
      logger.error({ err: error }, 'bank index refresh failed; serving the last loaded index'),
  });
  const casework = new Casework(database, caseworkOptions(config));
  const evidence = await EvidenceStore.open(config);
  const text = await TextBanks.open(textRuleSource(database), {
    refreshMs: config.indexRefreshMs,
    onRefreshError: (error) =>
      logger.error({ err: error }, 'text bank refresh failed; checking against the last loaded banks'),
    onRuleRefused: (rule, reason) =>
      logger.warn(
        { entry_id: rule.entryId, bank: rule.bank },
        `a stored regular-expression rule is refused and not in force: ${reason} Fix or disable entry ${rule.entryId}.`,
      ),
  });
  const policy = new Policy(database);
  const guard = new NetworkGuard({ allow: [...config.networkAllow, ...(options.allow ?? [])] });
  const geo = config.geoIpFile === undefined ? undefined : await GeoIpTable.load(config.geoIpFile);
  let hashing: HashingPool | undefined;
  return {
    config,
    logger,
    database,
    matcher,
    get hashing() {
      hashing ??= createHashingPool(hashingPoolOptions(config));
      return hashing;
    },
    policy,
    keys: new KeyVerifier(database),
    casework,
    evidence,
    text,
    guard,
    geo,
    pipeline: new ContentPipeline({ database, matcher, policy, casework, evidence }),
    close: async () => {
      matcher.close();
      text.close();
      await guard.close();
      await hashing?.close();
      if (options.database === undefined) await database.close();
    },
  };
}
