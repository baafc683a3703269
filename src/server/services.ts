// What the HTTP server works with, built once at start-up from the configuration: the database, the
// matcher (with its in-memory index), the hashing threads, the policy, the key verifier, the casework of
// the review queue and the evidence store.
import type { Logger } from 'pino';
import { KeyVerifier } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { EvidenceStore } from '../evidence/index.js';
import { createHashingPool, hashingPoolOptions } from '../hashing/index.js';
import type { HashingPool } from '../hashing/index.js';
import { Matcher } from '../matching/index.js';
import { Policy } from '../policy/index.js';
import { Casework, caseworkOptions } from '../reports/index.js';
import { openDatabase } from '../store/index.js';
import { TextBanks } from '../text/index.js';
import type { Database } from '../store/index.js';

export interface Services {
  config: Config;
  logger: Logger;
  database: Database;
  matcher: Matcher;
  hashing: HashingPool;
  policy: Policy;
  keys: KeyVerifier;
  casework: Casework;
  evidence: EvidenceStore;
  text: TextBanks;
}

/** Opens everything the server needs; `close` releases it in reverse order. */
export async function openServices(
  config: Config,
  logger: Logger,
  database?: Database,
): Promise<Services & { close(): Promise<void> }> {
  const opened =
    database ?? (await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }));
  const matcher = await Matcher.open(opened, {
    defaultThreshold: config.matchThreshold,
    maxThreshold: config.maxPdqThreshold,
    maxMatches: config.maxMatches,
    minQuality: config.minQuality,
    refreshMs: config.indexRefreshMs,
    onRefreshError: (error) =>
      logger.error({ err: error }, 'bank index refresh failed; serving the last loaded index'),
  });
  const hashing = createHashingPool(hashingPoolOptions(config));
  const casework = new Casework(opened, caseworkOptions(config));
  const evidence = await EvidenceStore.open(config);
  const text = await TextBanks.open(opened, {
    refreshMs: config.indexRefreshMs,
    onRefreshError: (error) =>
      logger.error({ err: error }, 'text bank refresh failed; checking against the last loaded banks'),
    onRuleRefused: (rule, reason) =>
      logger.warn(
        { entry_id: rule.entryId, bank: rule.bank },
        `a stored regular-expression rule is refused and not in force: ${reason} Fix or disable entry ${rule.entryId}.`,
      ),
  });
  return {
    config,
    logger,
    database: opened,
    matcher,
    hashing,
    policy: new Policy(opened, casework),
    keys: new KeyVerifier(opened),
    casework,
    evidence,
    text,
    close: async () => {
      matcher.close();
      text.close();
      await hashing.close();
      if (database === undefined) await opened.close();
    },
  };
}
