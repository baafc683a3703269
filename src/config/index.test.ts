import { describe, expect, it } from 'vitest';
import { loadConfig } from './index.js';

describe('loadConfig', () => {
  it('gives each job kind its own slots, and a setting changes only the kinds it names', () => {
    expect(loadConfig({}).workerConcurrency).toEqual({
      'webhook.deliver': 4,
      'mail.send': 2,
      'report.fetch': 2,
      'crawl.confirmed': 1,
    });
    expect(loadConfig({ WARDEN_WORKER_CONCURRENCY: '{"report.fetch":6}' }).workerConcurrency).toEqual({
      'webhook.deliver': 4,
      'mail.send': 2,
      'report.fetch': 6,
      'crawl.confirmed': 1,
    });
  });

  it('refuses a single number, an unknown kind or a count out of range, saying what to write', () => {
    for (const value of ['4', '{"report.fetchh":2}', '{"report.fetch":0}', '{"mail.send":1.5}']) {
      expect(() => loadConfig({ WARDEN_WORKER_CONCURRENCY: value }), value).toThrow(
        'Invalid configuration. WARDEN_WORKER_CONCURRENCY: must be JSON giving job kinds (webhook.deliver, mail.send, report.fetch, crawl.confirmed) the number each worker runs at once (1-256), e.g. {"report.fetch":4}; kinds left out keep their defaults.',
      );
    }
  });

  it('holds media fetched for anyone’s report to fewer pixels than an upload, and public bodies small', () => {
    const config = loadConfig({});
    expect(config.fetchMaxPixels).toBeLessThan(config.maxImagePixels);
    expect(config.publicMaxBodyBytes).toBeLessThanOrEqual(16 * 1024);
    expect(loadConfig({ WARDEN_FETCH_MAX_PIXELS: '1000000' }).fetchMaxPixels).toBe(1_000_000);
  });
});
