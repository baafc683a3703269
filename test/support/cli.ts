// The `warden` command line as users run it (the real binary over the compiled dist/), for tests of the
// CLI contract and for setting things up before end-to-end tests.
import { execFile } from 'node:child_process';
import { childEnvironment, wardenBinary } from './paths.js';

export interface WardenRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The JSON lines of stdout (those that start with `{`), parsed. */
  lines: Record<string, unknown>[];
}

/** Runs `warden ARGS` with exactly the given Warden environment; input goes to its stdin. */
export function runWarden(
  args: string[],
  environment: Record<string, string>,
  input?: string,
): Promise<WardenRun> {
  return new Promise((resolveRun) => {
    const child = execFile(
      process.execPath,
      [wardenBinary, ...args],
      { env: childEnvironment(environment), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const lines = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        resolveRun({ code, stdout, stderr, lines });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** Like runWarden, but fails with the command's output unless it exits with 0. */
export async function warden(
  args: string[],
  environment: Record<string, string>,
  input?: string,
): Promise<string> {
  const run = await runWarden(args, environment, input);
  if (run.code !== 0) throw new Error(`warden ${args.join(' ')} exited with ${run.code}: ${run.stderr}`);
  return run.stdout;
}
