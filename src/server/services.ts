// What the HTTP server works with: the process's services, from the composition root.
import type { Config } from '../config/index.js';
import type { Database } from '../store/index.js';
import { openWarden } from '../warden/index.js';
import type { Warden } from '../warden/index.js';
import type { Logger } from 'pino';

export type Services = Warden;

/** Opens everything the server needs; `close` releases it in reverse order. */
export function openServices(
  config: Config,
  logger: Logger,
  database?: Database,
): Promise<Services & { close(): Promise<void> }> {
  return openWarden(config, logger, database === undefined ? {} : { database });
}
