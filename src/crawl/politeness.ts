// Politeness towards each host: requests to one host start one after another, at least a delay apart,
// and no more than a limit of them are in flight at once. The gate lives in memory; the crawler writes
// each host's next allowed time to the database, and seeds the gate from it on start, so a restarted
// crawler honours the delay too.

interface HostState {
  nextAllowed: number;
  lastStart: number;
  inFlight: number;
  delayMs: number;
  /** The previous acquirer's turn: starts are handed out in order. */
  tail: Promise<void>;
  freed: (() => void)[];
}

export class HostGate {
  private readonly hosts = new Map<string, HostState>();
  private readonly changed = new Map<string, number>();

  constructor(
    private readonly delayMs: number,
    private readonly concurrency: number,
  ) {}

  /** Sets a host's next allowed start (from the database) unless a later one is known. */
  seed(host: string, nextAllowed: number): void {
    const state = this.state(host);
    state.nextAllowed = Math.max(state.nextAllowed, nextAllowed);
  }

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
      signal?.throwIfAborted();
      state.inFlight += 1;
      state.lastStart = Date.now();
      state.nextAllowed = state.lastStart + state.delayMs;
      this.changed.set(host, state.nextAllowed);
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

  /** The next allowed starts that changed since the last call, for the database. */
  takeChanges(): Map<string, number> {
    const changes = new Map(this.changed);
    this.changed.clear();
    return changes;
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
