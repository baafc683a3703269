// End-to-end support: Debian's Chromium driven by playwright-core, and the real `warden` binary serving on
// a free port of 127.0.0.1. Outside CI a missing Chromium skips the browser tests with a note; in CI it
// fails them (.ci/run installs it).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { describe } from 'vitest';
import { childEnvironment, wardenBinary } from './paths.js';

export const chromiumPath = '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests put screenshots (gitignored): test-output/<name>/. */
export function testOutput(name: string): string {
  const directory = resolve(fileURLToPath(new URL('../..', import.meta.url)), 'test-output', name);
  mkdirSync(directory, { recursive: true });
  return directory;
}

/**
 * Declares browser tests. Without Chromium they are skipped with a note outside CI, and fail in CI, where
 * nothing may be skipped.
 */
export function describeInBrowser(title: string, body: () => void): void {
  if (existsSync(chromiumPath)) {
    describe(title, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(title, () => {
      throw new Error(`${chromiumPath} is missing: CI must run the browser tests (see .ci/run).`);
    });
    return;
  }
  describe.skip(`${title} [no ${chromiumPath}: apt-get install chromium, or run .ci/run]`, body);
}

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A browser of its own (a fresh user data dir: no cookies, no cache) for one person in a test. */
export async function openBrowser(options: { baseURL: string }): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'warden-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    baseURL: options.baseURL,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface WardenServer {
  url: string;
  /** What the server wrote to stderr so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `warden serve` on a free port and waits until /health answers. */
export async function startWarden(environment: Record<string, string>): Promise<WardenServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [wardenBinary, 'serve', '--port', String(port)], {
    env: childEnvironment(environment),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`warden serve exited with ${child.exitCode}: ${stderr}`);
    const status = await fetch(`${url}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`warden serve did not answer /health within 30 s: ${stderr}`);
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  return {
    url,
    logs: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
