// `warden users`: the people who sign in to the console. Passwords come from standard input (never the
// command line, which other local users and shell history can see) or are generated and shown once.
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { Option } from 'commander';
import { WardenError } from '../errors/index.js';
import {
  createUser,
  generatePassword,
  getUserByUsername,
  listUsers,
  parseUserRole,
  passwordLength,
  updateUser,
  userRoles,
} from '../users/index.js';
import type { User } from '../users/index.js';
import type { Context } from './context.js';
import { readAll, writeJson, writeLine } from './io.js';
import type { Action } from './index.js';

export function registerUsers(program: Command, action: Action): void {
  const users = program
    .command('users')
    .description('Manage the people who sign in to the console (analysts, supervisors, admins).');

  users
    .command('create')
    .description('Add a person. Without --password-stdin a password is generated and shown once.')
    .requiredOption('--username <username>', 'lowercase letters, digits, ".", "_" or "-" (2 to 40)')
    .addOption(new Option('--role <role>', 'what they may do').choices([...userRoles]).makeOptionMandatory())
    .option('--name <name>', 'display name')
    .option(
      '--password-stdin',
      `read the password (${passwordLength.min} to ${passwordLength.max} characters) from standard input`,
    )
    .option('--json', 'print {"id","username","role","display_name"} (and "password" when generated)')
    .action(
      action(
        async (
          context: Context,
          options: { username: string; role: string; name?: string; passwordStdin?: boolean; json?: boolean },
        ) => {
          const generated = options.passwordStdin ? undefined : generatePassword();
          const password = generated ?? (await readPassword(context.io.stdin));
          const user = await createUser(
            await context.database(),
            {
              username: options.username,
              password,
              role: parseUserRole(options.role),
              ...(options.name === undefined ? {} : { displayName: options.name }),
            },
            { exposureWarning: context.config.exposureWarning },
          );
          if (options.json) {
            writeJson(context.io, {
              ...userJson(user),
              ...(generated === undefined ? {} : { password: generated }),
            });
            return;
          }
          writeLine(context.io, `Created ${user.role} ${user.username} (id ${user.id}).`);
          if (generated !== undefined) {
            writeLine(
              context.io,
              `Password: ${generated}\n(shown once: pass it on safely, and change it with "warden users set-password ${user.username} --password-stdin")`,
            );
          }
        },
      ),
    );

  users
    .command('list')
    .description('List people (never their passwords).')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (context: Context, options: { json?: boolean }) => {
        const found = await listUsers(await context.database());
        if (options.json) {
          for (const user of found) writeJson(context.io, userJson(user));
          return;
        }
        if (found.length === 0) {
          writeLine(
            context.io,
            'No people yet. Add one with: warden users create --username NAME --role admin',
          );
          return;
        }
        for (const user of found) {
          writeLine(
            context.io,
            `${user.id}\t${user.username}\t${user.role}\t${user.disabledAt === null ? 'active' : `disabled ${user.disabledAt}`}\t${user.displayName}`,
          );
        }
      }),
    );

  users
    .command('disable')
    .description('Disable a person: they cannot sign in, and their sessions end at once.')
    .argument('<username>')
    .action(
      action(async (context: Context, username: string) => {
        const database = await context.database();
        const user = await getUserByUsername(database, username);
        await updateUser(database, user.id, { disabled: true });
        writeLine(context.io, `Disabled ${user.username}; their sessions have ended.`);
      }),
    );

  users
    .command('enable')
    .description('Let a disabled person sign in again.')
    .argument('<username>')
    .action(
      action(async (context: Context, username: string) => {
        const database = await context.database();
        const user = await getUserByUsername(database, username);
        await updateUser(database, user.id, { disabled: false });
        writeLine(context.io, `Enabled ${user.username}.`);
      }),
    );

  users
    .command('set-password')
    .description("Set a person's password, read from standard input; their sessions end.")
    .argument('<username>')
    .requiredOption('--password-stdin', 'read the password from standard input (required)')
    .action(
      action(async (context: Context, username: string) => {
        const database = await context.database();
        const user = await getUserByUsername(database, username);
        await updateUser(database, user.id, { password: await readPassword(context.io.stdin) });
        writeLine(context.io, `Changed the password of ${user.username}; their sessions have ended.`);
      }),
    );
}

function userJson(user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    role: user.role,
    disabled: user.disabledAt !== null,
    disabled_at: user.disabledAt,
    created_at: user.createdAt,
  };
}

/** One line from standard input, without its line ending. */
async function readPassword(stdin: Readable): Promise<string> {
  const text = await readAll(
    stdin,
    4 * passwordLength.max + 2,
    `The password on standard input is too long: passwords are ${passwordLength.min} to ${passwordLength.max} characters.`,
  );
  const password = text.replace(/\r?\n$/, '');
  if (password === '') {
    throw new WardenError(
      'invalid_argument',
      'No password on standard input: pipe it in, e.g. "warden users set-password NAME --password-stdin < file".',
    );
  }
  if (/[\r\n]/.test(password)) {
    throw new WardenError('invalid_argument', 'The password on standard input must be a single line.');
  }
  return password;
}
