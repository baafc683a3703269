// Operators steer crawls: pause (URLs in flight go back to the queue), resume, cancel. The crawl's
// status is the signal: the crawl service stops runs whose crawl is no longer running.
import { WardenError } from '../errors/index.js';
import { now } from '../store/index.js';
import type { CrawlStatus, Database } from '../store/index.js';
import { getCrawl } from './frontier.js';

export type CrawlAction = 'pause' | 'resume' | 'cancel';

const transitions: Record<CrawlAction, { from: readonly CrawlStatus[]; to: CrawlStatus }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['running', 'paused'], to: 'cancelled' },
};

/** Changes a crawl's status; conflict when the crawl is not in a state the action applies to. */
export async function changeCrawlStatus(database: Database, id: number, action: CrawlAction): Promise<void> {
  const { from, to } = transitions[action];
  const result = await database.db
    .updateTable('crawls')
    .set({ status: to, updated_at: now() })
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  if (result.numUpdatedRows > 0n) return;
  const crawl = await getCrawl(database, id);
  throw new WardenError(
    'conflict',
    `Crawl ${id} is ${crawl.status}; only a ${from.join(' or ')} crawl can be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'}.`,
  );
}
