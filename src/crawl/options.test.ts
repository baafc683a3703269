// Crawl options and scope, and the politeness gate.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crawlOptions, defaultCrawlOptions, scopeFilter } from './options.js';
import { HostGate, databaseSlots } from './politeness.js';
import type { ReserveSlot } from './politeness.js';
import { describeEachEngine } from '../../test/support/index.js';

describe('crawlOptions', () => {
  it('fills in defaults and refuses what is out of range', () => {
    expect(crawlOptions()).toEqual(defaultCrawlOptions);
    expect(crawlOptions({ maxPages: 5 }).maxPages).toBe(5);
    expect(() => crawlOptions({ maxPages: 0 })).toThrow(/maxPages/);
    expect(() => crawlOptions({ hostConcurrency: 1.5 })).toThrow(/hostConcurrency/);
    expect(() => crawlOptions({ scope: 'everything' as 'any' })).toThrow(/scope/);
  });
});

describe('scopeFilter', () => {
  const seeds = ['https://www.site.example:8443/start', 'http://other.example/'];
  const check = (scope: 'same-host' | 'same-domain' | 'any', url: string) =>
    scopeFilter(scope, seeds)(new URL(url));
  it('same-host keeps to the seeds’ hosts and ports', () => {
    expect(check('same-host', 'https://www.site.example:8443/x')).toBe(true);
    expect(check('same-host', 'https://www.site.example/x')).toBe(false);
    expect(check('same-host', 'http://other.example/y')).toBe(true);
    expect(check('same-host', 'http://cdn.other.example/y')).toBe(false);
  });
  it('same-domain takes subdomains of the seeds’ names, www dropped', () => {
    expect(check('same-domain', 'https://img.site.example/x')).toBe(true);
    expect(check('same-domain', 'https://site.example/x')).toBe(true);
    expect(check('same-domain', 'https://evilsite.example/x')).toBe(false);
    expect(check('same-domain', 'http://cdn.other.example/y')).toBe(true);
  });
  it('any takes everything', () => {
    expect(check('any', 'https://anywhere.example/')).toBe(true);
  });
});

// The gate's clock is vitest's fake one: starts are read off it exactly, however busy the machine is.
describe('HostGate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spaces the starts on one host by the delay, keeps to the concurrency, and lets other hosts go', async () => {
    const gate = new HostGate(50, 1);
    const started: [string, number][] = [];
    const all = Promise.all(
      ['a', 'a', 'a', 'b'].map(async (host) => {
        const release = await gate.acquire(host);
        started.push([host, Date.now() - 1_000_000]);
        await new Promise((resolve) => setTimeout(resolve, 10));
        release();
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(started.sort()).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    await vi.advanceTimersByTimeAsync(49);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(started.at(-1)).toEqual(['a', 50]);
    await vi.advanceTimersByTimeAsync(50);
    expect(started.at(-1)).toEqual(['a', 100]);
    await vi.advanceTimersByTimeAsync(10);
    await all;

    // Concurrency 1 and no delay: the next start waits for the release, however long that takes.
    const held = new HostGate(0, 1);
    const release = await held.acquire('a');
    let second = false;
    const waiting = held.acquire('a').then((next) => {
      second = true;
      next();
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second).toBe(false);
    release();
    await waiting;
    expect(second).toBe(true);
  });

  it('honours a robots.txt crawl delay', async () => {
    const gate = new HostGate(0, 4);
    (await gate.acquire('a'))();
    gate.setDelay('a', 60);
    let acquired: number | undefined;
    const second = gate.acquire('a').then((release) => {
      acquired = Date.now() - 1_000_000;
      release();
    });
    await vi.advanceTimersByTimeAsync(59);
    expect(acquired).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(acquired).toBe(60);
  });

  it('stops waiting when the signal aborts', async () => {
    const gate = new HostGate(10_000, 1);
    (await gate.acquire('a'))();
    const stop = new AbortController();
    const waiting = gate.acquire('a', stop.signal);
    stop.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});

describeEachEngine('HostGate with database slots', (database) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spaces the starts on one host across processes, each with its own gate', async () => {
    // Two gates on one database stand for two crawler processes working on the same host. The clock is
    // fake (Date and timers only: the database's own I/O runs for real), so each start is read exactly.
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const reserve = databaseSlots(database());
    const reserved: number[] = [];
    const recording: ReserveSlot = async (host, delayMs) => {
      const start = await reserve(host, delayMs);
      reserved.push(start);
      return start;
    };
    const gates = [0, 1].map(() => new HostGate(60, 4, recording));
    const starts: number[] = [];
    let done = false;
    const all = Promise.all(
      [0, 1, 0, 1, 0, 1].map(async (which) => {
        const release = await gates[which]!.acquire('example.org');
        starts.push(Date.now());
        release();
      }),
    ).finally(() => (done = true));
    while (!done) {
      await vi.advanceTimersByTimeAsync(5);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    // Six starts, each its own slot of the shared schedule, no two closer than the delay.
    expect(reserved).toHaveLength(6);
    expect(starts).toHaveLength(6);
    const schedule = [...reserved].sort((a, b) => a - b);
    for (let index = 1; index < schedule.length; index += 1) {
      expect(schedule[index]! - schedule[index - 1]!).toBeGreaterThanOrEqual(60);
    }
    starts.sort((a, b) => a - b);
    for (let index = 0; index < starts.length; index += 1) {
      expect(starts[index]).toBeGreaterThanOrEqual(schedule[index]!);
    }
    const row = await database().db.selectFrom('host_slots').selectAll().executeTakeFirstOrThrow();
    expect(row.host).toBe('example.org');
  });
});
