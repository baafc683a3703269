// Runs the built `warden` command for benchmarks that set up data as a user would, and returns its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const wardenBinary = fileURLToPath(new URL('../../bin/warden.js', import.meta.url));

export function warden(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wardenBinary, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`warden ${args.join(' ')} exited with ${code}`)),
    );
  });
}
