// `warden worker`: runs background jobs (webhook deliveries, mail to reporters, fetching reported media)
// until SIGINT or SIGTERM, then finishes the
// jobs in flight and exits. On PostgreSQL, run as many as the load needs, on as many machines.
import type { Command } from 'commander';
import { WardenError } from '../errors/index.js';
import type { Context } from './context.js';
import type { Action } from './index.js';

export function registerWorker(program: Command, action: Action): void {
  program
    .command('worker')
    .description(
      'Run background jobs (webhook deliveries, mail to reporters, fetching reported media, crawls) until SIGINT or SIGTERM; jobs in flight are finished before it exits, URLs being crawled go back to the queue.',
    )
    .option('--concurrency <n>', 'jobs run at once (default: WARDEN_WORKER_CONCURRENCY)')
    .action(
      action(async (context: Context, options: { concurrency?: string }) => {
        const concurrency =
          options.concurrency === undefined
            ? context.config.workerConcurrency
            : parseConcurrency(options.concurrency);
        // Loaded on demand, so that other commands do not pay for the HTTP client at start-up.
        const [{ Worker }, { backgroundHandlers }] = await Promise.all([
          import('../jobs/index.js'),
          import('../background/index.js'),
        ]);
        const { config } = context;
        const warden = await context.warden();
        const { database } = warden;
        const background = backgroundHandlers(config, warden, (error, crawlId) =>
          context.io.stderr.write(
            `warden worker: crawl ${crawlId}: ${error instanceof Error ? error.message : String(error)}\n`,
          ),
        );
        const worker = new Worker(database, {
          concurrency,
          leaseMs: config.jobLeaseMs,
          handlers: background.handlers,
          onError: (error) =>
            context.io.stderr.write(
              `warden worker: ${error instanceof Error ? error.message : String(error)}\n`,
            ),
        });
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        context.io.stderr.write(
          `warden worker: started as ${worker.owner} on ${database.location} (concurrency ${concurrency}, lease ${context.config.jobLeaseMs} ms)\n`,
        );
        try {
          await Promise.all([worker.run(stop.signal), background.crawls?.run(stop.signal)]);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await background.close();
          await warden.close();
        }
        context.io.stderr.write(`warden worker: stopped after finishing the jobs in flight\n`);
      }),
    );
}

function parseConcurrency(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1 || number > 256) {
    throw new WardenError(
      'invalid_argument',
      `--concurrency takes a whole number from 1 to 256; got "${value}".`,
    );
  }
  return number;
}
