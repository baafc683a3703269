// What a command may touch of the outside world: streams, environment, working directory. Tests pass
// their own; the `warden` binary passes the process's.
import type { Readable, Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { WardenError, toUserError } from '../errors/index.js';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  /** Progress bars are drawn only on a terminal, never into a pipe or a file. */
  interactive: boolean;
}

export const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  interactive: process.stderr.isTTY,
});

export function writeJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}

export function writeLine(io: Io, text: string): void {
  io.stdout.write(text + '\n');
}

/** The `{code, message}` a script sees for a failed item; internals of unexpected errors stay hidden. */
export function errorJson(error: unknown): { code: string; message: string } {
  const userError = toUserError(error);
  return { code: userError.code, message: userError.message };
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal and the work is big enough to wait for; else nothing. */
export function progressBar(io: Io, label: string, total: number, unit = 'items'): Progress {
  if (!io.interactive || total < 2) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: io.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  bar.start(total, 0);
  return {
    update: (done, newTotal) => {
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

/** All of standard input as text; refused with `tooLong` once it passes `limitBytes`. */
export async function readAll(stdin: Readable, limitBytes: number, tooLong: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) throw new WardenError('invalid_argument', tooLong);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
