// The server's public door: build the app for tests, or run it (`warden serve`) with graceful shutdown,
// the embedded job worker, and optionally several processes sharing one port.
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { configEnvironment } from '../config/index.js';
import type { Config } from '../config/index.js';
import { WardenError } from '../errors/index.js';
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
  // Listen first: a server that cannot take its port stops here, before any background work starts,
  // instead of living on as a worker nobody can reach.
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await services.close();
    if (cluster.isWorker) cluster.worker?.disconnect();
    throw listenFailure(error, config);
  }
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
  logger.info(
    { address, database: services.database.location, indexSize: services.matcher.indexSize },
    `Warden is listening on ${address} (API docs at ${address}/docs)`,
  );
  await stopped;
  // A process forked by superviseProcesses stays alive through its channel to the primary until it lets go.
  if (cluster.isWorker) cluster.worker?.disconnect();
}

/** Why the server could not take its address, said so that a person can fix it. */
function listenFailure(error: unknown, config: Pick<Config, 'host' | 'port'>): unknown {
  const otherPort = `choose another port with --port or ${configEnvironment.port}`;
  const reasons: Record<string, string> = {
    EADDRINUSE: `port ${config.port} is already in use by another process. Stop that process, or ${otherPort}.`,
    EACCES: `permission denied (ports below 1024 need privileges); ${otherPort}.`,
    EADDRNOTAVAIL: `${config.host} is not an address of this machine; give one it has with --host or ${configEnvironment.host}.`,
  };
  const reason = reasons[(error as NodeJS.ErrnoException).code ?? ''];
  return reason === undefined
    ? error
    : new WardenError('unavailable', `Cannot listen on ${config.host}:${config.port}: ${reason}`);
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
  let served = false;
  const fork = () => cluster.fork();
  for (let index = 0; index < config.serverProcesses; index += 1) fork();
  cluster.on('listening', () => {
    served = true;
  });
  let failure: WardenError | undefined;
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      for (const child of Object.values(cluster.workers ?? {})) child?.process.kill('SIGTERM');
      const wait = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(wait, 50));
      wait();
    };
    cluster.on('exit', (child, code, signal) => {
      if (stopping) return;
      if (!served) {
        // None has ever listened (the port is taken, the database cannot open): another would fail alike.
        failure = new WardenError(
          'unavailable',
          `The server processes could not start (one exited with code ${code ?? signal}); its reason is above.`,
        );
        stop();
        return;
      }
      logger.error({ pid: child.process.pid, code, signal }, 'a server process died; starting another');
      fork();
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (failure !== undefined) throw failure;
}
