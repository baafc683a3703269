// `warden serve` as users run it: the real binary on 127.0.0.1, with a key made by `warden keys create`,
// answering over HTTP and shutting down cleanly on SIGTERM with requests in flight.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { childEnvironment, describeEachEngine, freePort, vectorPath, wardenBinary } from './support/index.js';

const running: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  running.splice(0).forEach((child) => child.kill('SIGKILL'));
});

describeEachEngine('warden serve', (database) => {
  it('serves the API with keys made on the command line, and stops cleanly with requests in flight', async () => {
    const env = childEnvironment({ ...database().environment, WARDEN_LOG_LEVEL: 'warn' });
    const created = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [wardenBinary, 'keys', 'create', '--role', 'admin', '--json'],
        { env },
        (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)),
      ),
    );
    const { key, role } = JSON.parse(created) as { key: string; role: string };
    expect(role).toBe('admin');

    const port = await freePort();
    const server = spawn(process.execPath, [wardenBinary, 'serve', '--port', String(port)], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.push(server);
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    await expect
      .poll(async () => (await fetch(`${base}/health`).catch(() => undefined))?.status, {
        timeout: 20_000,
        interval: 200,
      })
      .toBe(200);

    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const bank = await fetch(`${base}/v1/banks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'standin', category: 'csam' }),
    });
    expect(bank.status).toBe(201);
    expect((await fetch(`${base}/v1/banks`)).status).toBe(401);

    // Requests the server has received are answered after SIGTERM; the process then exits with code 0.
    // Uploads with dihedral matching keep the hashing threads busy for a while, so they are in flight.
    const image = new Blob([
      readFileSync(vectorPath('pdq/images/pdq-data/reg-test-input/dih/bridge-1-original.jpg')),
    ]);
    const upload = async () => {
      const form = new FormData();
      form.append('file', image, 'bridge.jpg');
      const response = await fetch(`${base}/v1/match?dihedral=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: form,
      });
      return response.status;
    };
    const inFlight = Array.from({ length: 30 }, upload);
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.kill('SIGTERM');
    expect(await Promise.all(inFlight)).toEqual(Array.from({ length: 30 }, () => 200));
    expect(await exited).toBe(0);
  });
});
