// `warden serve` when it cannot run: the real binary says what failed and exits, instead of living on
// as a process that serves nothing.
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runWarden, useTemporaryDirectory } from './support/index.js';

const holders: Server[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A port on 127.0.0.1 that another process (this test) is listening on. */
async function takenPort(): Promise<number> {
  const server = createServer();
  holders.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('warden serve on a port in use', () => {
  const directory = useTemporaryDirectory();

  it.each([1, 2])('names the address and exits with an error (%i server processes)', async (processes) => {
    const port = await takenPort();
    const run = await runWarden(['serve', '--port', String(port), '--processes', String(processes)], {
      WARDEN_DATA_DIR: directory(),
      WARDEN_LOG_LEVEL: 'warn',
    });
    expect(run.stderr).toContain(`Cannot listen on 127.0.0.1:${port}: port ${port} is already in use`);
    expect(run.stderr).not.toContain('Internal error');
    expect(run.code).toBe(2);
  });
});
