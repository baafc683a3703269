// Crawl options and scope, and the politeness gate.
import { describe, expect, it } from 'vitest';
import { crawlOptions, defaultCrawlOptions, scopeFilter } from './options.js';
import { HostGate, databaseSlots } from './politeness.js';
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

describe('HostGate', () => {
  it('spaces the starts on one host by the delay, keeps to the concurrency, and lets other hosts go', async () => {
    const gate = new HostGate(50, 1);
    const started: [string, number][] = [];
    const begin = Date.now();
    await Promise.all(
      ['a', 'a', 'a', 'b'].map(async (host) => {
        const release = await gate.acquire(host);
        started.push([host, Date.now() - begin]);
        await new Promise((resolve) => setTimeout(resolve, 10));
        release();
      }),
    );
    const onA = started.filter(([host]) => host === 'a').map(([, at]) => at);
    expect(onA[1]! - onA[0]!).toBeGreaterThanOrEqual(49);
    expect(onA[2]! - onA[1]!).toBeGreaterThanOrEqual(49);
    expect(started.find(([host]) => host === 'b')![1]).toBeLessThan(30);
  });

  it('honours a robots.txt crawl delay', async () => {
    const gate = new HostGate(0, 4);
    (await gate.acquire('a'))();
    gate.setDelay('a', 60);
    const second = Date.now();
    (await gate.acquire('a'))();
    expect(Date.now() - second).toBeGreaterThanOrEqual(55);
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
  it('spaces the starts on one host across processes, each with its own gate', async () => {
    // Two gates on one database stand for two crawler processes working on the same host.
    const gates = [0, 1].map(() => new HostGate(60, 4, databaseSlots(database())));
    const starts: number[] = [];
    await Promise.all(
      [0, 1, 0, 1, 0, 1].map(async (which) => {
        const release = await gates[which]!.acquire('example.org');
        starts.push(Date.now());
        release();
      }),
    );
    starts.sort((a, b) => a - b);
    for (let index = 1; index < starts.length; index += 1) {
      expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(55);
    }
    const row = await database().db.selectFrom('host_slots').selectAll().executeTakeFirstOrThrow();
    expect(row.host).toBe('example.org');
  });
});
