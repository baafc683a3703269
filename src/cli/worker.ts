// `warden worker`: runs background jobs (webhook deliveries, mail to reporters, fetching reported media)
// until SIGINT or SIGTERM, then finishes the jobs in flight and exits. On PostgreSQL, run as many as the
// load needs, on as many machines; WARDEN_WORKER_CONCURRENCY says how many jobs of each kind each runs.
import type { Command } from 'commander';
import type { Context } from './context.js';
import type { Action } from './index.js';

export function registerWorker(program: Command, action: Action): void {
  program
    .command('worker')
    .description(
      'Run background jobs (webhook deliveries, mail to reporters, fetching reported media, crawls) until SIGINT or SIGTERM; jobs in flight are finished before it exits, URLs being crawled go back to the queue.',
    )
    .action(
      action(async (context: Context) => {
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
          concurrency: config.workerConcurrency,
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
          `warden worker: started as ${worker.owner} on ${database.location} (jobs at once per kind ${JSON.stringify(config.workerConcurrency)}; lease ${context.config.jobLeaseMs} ms)\n`,
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
