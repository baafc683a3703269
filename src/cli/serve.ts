// `warden serve` and `warden keys`: the HTTP service and the API keys that open it.
import type { Command } from 'commander';
import { Option } from 'commander';
import { createApiKey, listApiKeys, parseRole, revokeApiKey, roles } from '../auth/index.js';
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import { getUserByUsername } from '../users/index.js';
import type { Context } from './context.js';
import { writeJson, writeLine } from './io.js';
import { positiveInteger } from './bank.js';
import type { Action } from './index.js';

export function registerServe(program: Command, action: Action): void {
  program
    .command('serve')
    .description('Run the HTTP API (and, unless --no-worker, the background jobs) until interrupted.')
    .option('--host <host>', 'address to listen on (default WARDEN_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default WARDEN_PORT or 8080)')
    .option('--processes <n>', 'server processes sharing the port (default WARDEN_SERVER_PROCESSES or 1)')
    .option('--no-worker', 'do not run background jobs in this process (run "warden worker" instead)')
    .action(
      action(
        async (
          context: Context,
          options: { host?: string; port?: string; processes?: string; worker: boolean },
        ) => {
          // Loaded on demand: the HTTP stack is heavy, and every other command starts faster without it.
          const { runServer } = await import('../server/index.js');
          await runServer({
            ...context.config,
            ...(options.host === undefined ? {} : { host: options.host }),
            ...(options.port === undefined ? {} : { port: positiveInteger('--port', options.port) }),
            ...(options.processes === undefined
              ? {}
              : { serverProcesses: Math.max(1, positiveInteger('--processes', options.processes)) }),
            serveWorker: context.config.serveWorker && options.worker,
          });
        },
      ),
    );

  const keys = program
    .command('keys')
    .description('Manage API keys: each has one role and is shown only once.');
  keys
    .command('create')
    .description('Create an API key and print it (it cannot be shown again).')
    .addOption(new Option('--role <role>', 'what the key may do').choices([...roles]).makeOptionMandatory())
    .option('--name <name>', 'who or what the key is for')
    .option('--rate-limit <n>', 'requests per minute for this key (default WARDEN_RATE_LIMIT_PER_MINUTE)')
    .option(
      '--user <username>',
      'the person the key acts for: their decisions count as theirs (the two-person rule counts people)',
    )
    .option('--json', 'print {"id","key","role","user_id"}')
    .action(
      action(
        async (
          context: Context,
          options: { role: string; name?: string; rateLimit?: string; user?: string; json?: boolean },
        ) => {
          const database = await context.database();
          const person =
            options.user === undefined ? undefined : await getUserByUsername(database, options.user);
          if (person !== undefined && person.disabledAt !== null) {
            throw new WardenError(
              'conflict',
              `${person.username} is disabled; enable them ("warden users enable ${person.username}") before giving them a key.`,
            );
          }
          const { apiKey, key } = await createApiKey(database, {
            role: parseRole(options.role),
            ...(person === undefined ? {} : { userId: person.id }),
            ...(options.name === undefined ? {} : { name: options.name }),
            ...(options.rateLimit === undefined
              ? {}
              : { rateLimitPerMinute: positiveInteger('--rate-limit', options.rateLimit) }),
          });
          await recordAudit(database.db, {
            actor: 'cli',
            action: 'key.create',
            target: `key:${apiKey.id}`,
            details: { role: apiKey.role, ...(person === undefined ? {} : { user_id: person.id }) },
          });
          if (options.json) {
            writeJson(context.io, { id: apiKey.id, key, role: apiKey.role, user_id: apiKey.userId });
          } else {
            const owner = person === undefined ? '' : `, acting for ${person.username}`;
            writeLine(
              context.io,
              `${key}\n(key ${apiKey.id}, role ${apiKey.role}${owner}: store it now, it cannot be shown again)`,
            );
          }
        },
      ),
    );
  keys
    .command('list')
    .description('List API keys (never the keys themselves).')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (context: Context, options: { json?: boolean }) => {
        for (const key of await listApiKeys(await context.database())) {
          if (options.json) writeJson(context.io, key);
          else
            writeLine(
              context.io,
              `${key.id}\t${key.role}\t${key.prefix}…\t${key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`}\t${key.userId === null ? '' : `user ${key.userId}`}\t${key.name}`,
            );
        }
      }),
    );
  keys
    .command('revoke')
    .description('Revoke an API key; servers refuse it within seconds.')
    .argument('<id>', 'the key id (from "warden keys list")')
    .action(
      action(async (context: Context, id: string) => {
        const keyId = Number(id);
        if (!Number.isSafeInteger(keyId) || keyId <= 0)
          throw new WardenError('invalid_argument', `"${id}" is not a key id.`);
        const database = await context.database();
        const key = await revokeApiKey(database, keyId);
        await recordAudit(database.db, { actor: 'cli', action: 'key.revoke', target: `key:${key.id}` });
        writeLine(context.io, `Revoked key ${key.id} (${key.role}).`);
      }),
    );
}
