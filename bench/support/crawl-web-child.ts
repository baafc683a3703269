// The child process of the crawler benchmark's synthetic web (see crawl-web.ts): starts the servers, says
// where they are on stdout, answers `stats` on stdin, and exits when stdin closes (the benchmark ended or
// died).
import { createInterface } from 'node:readline';
import { serveCrawlWeb } from './crawl-web.js';
import type { CrawlWebOptions } from './crawl-web.js';

const options = JSON.parse(process.argv[2] ?? '{}') as CrawlWebOptions;
const web = await serveCrawlWeb(options);
process.stdout.write(`${JSON.stringify(web.ready)}\n`);
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify(web.stats())}\n`);
});
input.once('close', () => {
  web.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
