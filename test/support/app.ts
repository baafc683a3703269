// The HTTP app in process over a given database, opened by the test and closed after it.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { buildApp, openServices } from '../../src/server/index.js';
import type { App } from '../../src/server/index.js';
import type { Database } from '../../src/store/index.js';

/** Declares an app per test; call the returned function inside the test to start it. */
export function useTestApp(): (
  database: Database,
  dataDir: string,
  environment?: Record<string, string>,
  overrides?: Partial<Config>,
) => Promise<App> {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const resource of opened.splice(0).reverse()) await resource.close();
  });
  return async (database, dataDir, environment = {}, overrides = {}) => {
    const config = loadConfig(environment, {
      dataDir,
      indexRefreshMs: 60_000,
      hashingThreads: 1,
      ...overrides,
    });
    const services = await openServices(config, pino({ level: 'silent' }), database);
    opened.push(services);
    const app = await buildApp(services);
    opened.push(app);
    return app;
  };
}
