// Per-invocation context of a CLI command: the parsed configuration, and the database opened on first use.
import { loadConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { Matcher } from '../matching/index.js';
import { openDatabase } from '../store/index.js';
import type { Database } from '../store/index.js';
import type { Io } from './io.js';
import type { OpenOptions, Warden } from '../warden/index.js';

export class Context {
  readonly config: Config;
  private opened: Promise<Database> | undefined;

  constructor(
    readonly io: Io,
    environment: Record<string, string | undefined>,
  ) {
    this.config = loadConfig(environment);
  }

  database(): Promise<Database> {
    this.opened ??= openDatabase({ dataDir: this.config.dataDir, databaseUrl: this.config.databaseUrl });
    return this.opened;
  }

  /** A matcher; by default it loads the index once and does not follow later changes (one command). */
  async matcher(refreshMs = 0): Promise<Matcher> {
    return Matcher.open(await this.database(), {
      defaultThreshold: this.config.matchThreshold,
      maxThreshold: this.config.maxPdqThreshold,
      maxMatches: this.config.maxMatches,
      minQuality: this.config.minQuality,
      refreshMs,
    });
  }

  /**
   * Every service of a long-running command (worker, crawl), from the composition root, on this
   * command's database. The caller closes it.
   */
  async warden(options: Omit<OpenOptions, 'database'> = {}): Promise<Warden & { close(): Promise<void> }> {
    // Loaded on demand: the short commands start faster without the services they never use.
    const { createLogger, openWarden } = await import('../warden/index.js');
    return openWarden(this.config, createLogger(this.config), {
      ...options,
      database: await this.database(),
    });
  }

  async close(): Promise<void> {
    if (this.opened === undefined) return;
    const database = await this.opened.catch(() => undefined);
    await database?.close();
  }
}
