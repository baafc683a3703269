// The crawler bench's Crawlee anchor: installs a pinned @crawlee/cheerio from npm into a scratch folder
// under the system's temporary directory (kept between runs; never a dependency of Warden, never in the
// repository) and runs crawlee-crawl.ts in a child process against the bench's synthetic web.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs on Node >= 16 (`npm view @crawlee/cheerio@3.18.1 engines`). */
export const crawleeVersion = '3.18.1';
const scratch = join(tmpdir(), `warden-bench-crawlee-${crawleeVersion}`);
const entry = fileURLToPath(new URL('./crawlee-crawl.ts', import.meta.url));

export interface CrawleeSettings {
  seeds: string[];
  concurrency: number;
  maxPages: number;
}

export interface CrawleeResult {
  pages: number;
  failed: number;
  seconds: number;
  cpuMs: number;
}

/** The scratch folder with Crawlee installed, or why it could not be installed. */
export function installCrawlee(): { scratch: string } | { error: string } {
  const installed = join(scratch, 'node_modules', '@crawlee', 'cheerio', 'package.json');
  const version = () => (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version;
  if (existsSync(installed) && version() === crawleeVersion) return { scratch };
  mkdirSync(scratch, { recursive: true });
  const npm = spawnSync(
    'npm',
    [
      'install',
      `@crawlee/cheerio@${crawleeVersion}`,
      '--prefix',
      scratch,
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
    ],
    { encoding: 'utf8' },
  );
  if (npm.status === 0 && existsSync(installed)) return { scratch };
  const why = (npm.stderr || npm.error?.message || 'no message').trim().split('\n').slice(-3).join(' ');
  return { error: `Crawlee ${crawleeVersion} could not be installed into ${scratch}: ${why}` };
}

/** One Crawlee crawl of the web, in a child process (through tsx, like the bench itself). */
export function runCrawlee(scratchFolder: string, settings: CrawleeSettings): Promise<CrawleeResult> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), entry, scratchFolder, JSON.stringify(settings)],
    { cwd: scratchFolder, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as CrawleeResult);
      else reject(new Error(`Crawlee's crawl ended with code ${code}: ${stderr.trim().slice(-500)}`));
    });
  });
}
