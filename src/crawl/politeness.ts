// Politeness towards each host: requests to one host start one after another, at least a delay apart,
// and no more than a limit of them are in flight at once. The gate orders a process's own requests in
// memory; the start times themselves are reserved in the database (host_slots), so every crawl and every
// process (and a crawler restarted after a crash) shares one schedule per host.
import type { Database } from '../store/index.js';

interface HostState {
  nextAllowed: number;
  lastStart: number;
  inFlight: number;
  delayMs: number;
  /** The previous acquirer's turn: starts are handed out in order. */
  tail: Promise<void>;
  freed: (() => void)[];
}

/** Reserves the next start for a host at least `delayMs` after the previous one; returns that start. */
export type ReserveSlot = (host: string, delayMs: number) => Promise<number>;

export class HostGate {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly delayMs: number,
    private readonly concurrency: number,
    private readonly reserve?: ReserveSlot,
  ) {}

  /** Raises one host's delay (robots.txt Crawl-delay); never lowers it below the crawl's. */
  setDelay(host: string, delayMs: number): void {
    const state = this.state(host);
    state.delayMs = Math.max(this.delayMs, delayMs);
    // The request that brought the news (robots.txt) already counts against the new delay.
    state.nextAllowed = Math.max(state.nextAllowed, state.lastStart + state.delayMs);
  }

  /**
   * Waits for this host's turn and a free slot, then returns the function that gives the slot back.
   * Rejects if the signal aborts while waiting for the delay.
   */
  async acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.state(host);
    const turn = state.tail.then(async () => {
      while (state.inFlight >= this.concurrency) await new Promise<void>((wake) => state.freed.push(wake));
      const wait = state.nextAllowed - Date.now();
      if (wait > 0) await sleep(wait, signal);
      if (state.delayMs > 0 && this.reserve !== undefined) {
        const start = await this.reserve(host, state.delayMs);
        if (start > Date.now()) await sleep(start - Date.now(), signal);
      }
      signal?.throwIfAborted();
      state.inFlight += 1;
      state.lastStart = Date.now();
      state.nextAllowed = state.lastStart + state.delayMs;
    });
    // The next acquirer waits for this turn whether it succeeded or not.
    state.tail = turn.catch(() => undefined);
    await turn;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
      state.freed.shift()?.();
    };
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (state === undefined) {
      state = {
        nextAllowed: 0,
        lastStart: 0,
        inFlight: 0,
        delayMs: this.delayMs,
        tail: Promise.resolve(),
        freed: [],
      };
      this.hosts.set(host, state);
    }
    return state;
  }
}

/**
 * Reserves start times in the database with compare-and-set, so two processes never take the same slot:
 * the start is the later of now and the host's next allowed time, and the next allowed time moves on by
 * the delay.
 */
export function databaseSlots(database: Database): ReserveSlot {
  return async (host, delayMs) => {
    for (;;) {
      const row = await database.db
        .selectFrom('host_slots')
        .select('next_allowed_at')
        .where('host', '=', host)
        .executeTakeFirst();
      const start = Math.max(Date.now(), row === undefined ? 0 : Date.parse(row.next_allowed_at));
      const next = new Date(start + delayMs).toISOString();
      if (row === undefined) {
        const inserted = await database.db
          .insertInto('host_slots')
          .values({ host, next_allowed_at: next })
          .onConflict((conflict) => conflict.column('host').doNothing())
          .executeTakeFirst();
        if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return start;
        continue;
      }
      const updated = await database.db
        .updateTable('host_slots')
        .set({ next_allowed_at: next })
        .where('host', '=', host)
        .where('next_allowed_at', '=', row.next_allowed_at)
        .executeTakeFirst();
      if (updated.numUpdatedRows > 0n) return start;
    }
  };
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
