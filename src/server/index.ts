// The server's public door: build the app for tests, or run it (`warden serve`) with graceful shutdown,
// the embedded job worker, and optionally several processes sharing one port.
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { Worker } from '../jobs/index.js';
import { backgroundHandlers } from '../background/index.js';
import { buildApp } from './app.js';
import { openServices } from './services.js';
import { createLogger } from '../warden/index.js';
import type { Services } from './services.js';

export { buildApp, apiVersion } from './app.js';
export type { App } from './app.js';
export { openServices } from './services.js';
export { createLogger } from '../warden/index.js';
export type { Services } from './services.js';

/**
 * Runs the server until SIGINT or SIGTERM, then stops accepting connections, finishes the requests and
 * jobs in flight, and closes the database. With `serverProcesses` > 1 the primary process forks that
 * many servers sharing the port (node:cluster) and only supervises them.
 */
export async function runServer(config: Config): Promise<void> {
  const logger = createLogger(config);
  if (config.serverProcesses > 1 && cluster.isPrimary) {
    await superviseProcesses(config, logger);
    return;
  }
  const services = await openServices(config, logger);
  const app = await buildApp(services);
  const worker = config.serveWorker ? startWorker(services) : undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing requests and jobs in flight');
      void (async () => {
        await app.close();
        await worker?.shutdown();
        await services.close();
        resolve();
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info(
    { address, database: services.database.location, indexSize: services.matcher.indexSize },
    `Warden is listening on ${address} (API docs at ${address}/docs)`,
  );
  await stopped;
  // A process forked by superviseProcesses stays alive through its channel to the primary until it lets go.
  if (cluster.isWorker) cluster.worker?.disconnect();
}

function startWorker(services: Services): { shutdown(): Promise<void> } {
  const background = backgroundHandlers(services.config, services, (error, crawlId) =>
    services.logger.error({ err: error, crawlId }, 'crawl stopped with an error; it is retried'),
  );
  const worker = new Worker(services.database, {
    concurrency: services.config.workerConcurrency,
    leaseMs: services.config.jobLeaseMs,
    handlers: background.handlers,
    onError: (error, job) => services.logger.error({ err: error, jobId: job?.id }, 'background job failed'),
  });
  const controller = new AbortController();
  worker
    .run(controller.signal)
    .catch((error: unknown) => services.logger.error({ err: error }, 'job worker stopped'));
  background.crawls
    ?.run(controller.signal)
    .catch((error: unknown) => services.logger.error({ err: error }, 'crawl service stopped'));
  return {
    shutdown: async () => {
      await worker.shutdown();
      controller.abort();
      await background.close();
    },
  };
}

async function superviseProcesses(config: Config, logger: Logger): Promise<void> {
  let stopping = false;
  const fork = () => cluster.fork();
  for (let index = 0; index < config.serverProcesses; index += 1) fork();
  cluster.on('exit', (child, code, signal) => {
    if (stopping) return;
    logger.error({ pid: child.process.pid, code, signal }, 'a server process died; starting another');
    fork();
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      for (const child of Object.values(cluster.workers ?? {})) child?.process.kill('SIGTERM');
      const wait = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(wait, 50));
      wait();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
