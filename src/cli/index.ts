// The `warden` command. Thin: parses arguments, calls a domain function, formats the output.
// Exit codes: 0 done; 1 some items failed (each is reported); 2 the command could not run at all.
import { Command, CommanderError } from 'commander';
import { isWardenError, toUserError } from '../errors/index.js';
import { registerBank } from './bank.js';
import { Context } from './context.js';
import { registerCrawl } from './crawl.js';
import { registerHash } from './hash.js';
import { processIo } from './io.js';
import type { Io } from './io.js';
import { registerMatch } from './match.js';
import { registerReports } from './reports.js';
import { registerServe } from './serve.js';
import { registerText } from './text.js';
import { registerUsers } from './users.js';
import { registerWorker } from './worker.js';

/** Wraps a command handler: builds its context, closes it, and records the handler's exit code. */
export type Action = <A extends unknown[]>(
  handler: (context: Context, ...args: A) => Promise<number | void>,
) => (...args: A) => Promise<void>;

export async function main(
  argv: string[],
  environment: Record<string, string | undefined>,
  io: Io = processIo(),
): Promise<number> {
  let exitCode = 0;
  const action: Action =
    (handler) =>
    async (...args) => {
      const context = new Context(io, environment);
      try {
        exitCode = (await handler(context, ...args)) ?? 0;
      } finally {
        await context.close();
      }
    };

  const program = new Command('warden')
    .description(
      'Warden: find, verify and act on known harmful content. Data: WARDEN_DATA_DIR (default ./data) or DATABASE_URL.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run "warden --help" for usage)');
  registerHash(program, action);
  registerBank(program, action);
  registerMatch(program, action);
  registerReports(program, action);
  registerWorker(program, action);
  registerCrawl(program, action);
  registerServe(program, action);
  registerUsers(program, action);
  registerText(program, action);

  if (argv.length <= 2) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const userError = toUserError(error);
    io.stderr.write(`warden: ${userError.message}\n`);
    if (!isWardenError(error) && environment.WARDEN_LOG_LEVEL === 'debug')
      io.stderr.write(`${(error as Error).stack}\n`);
    return 2;
  }
}
