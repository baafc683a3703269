// `warden text`: term lists in and out of text banks (CSV), and checking a text against the banks in
// force — the same engine `POST /v1/text/check` uses. `check` exits 0 when the verdict is allow and 1
// when it is review or block, so scripts can test it.
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import { exportTermList, importTermList, textRuleSource } from '../matching/index.js';
import { TextBanks, maxTextLength, textPolicy } from '../text/index.js';
import type { Context } from './context.js';
import type { Action } from './index.js';
import { readAll, writeJson, writeLine } from './io.js';

const maxListBytes = 64 * 1024 * 1024;

export function registerText(program: Command, action: Action): void {
  const text = program
    .command('text')
    .description('Term blocking: import and export term lists, and check texts against the text banks.');

  text
    .command('import')
    .description(
      'Import a CSV term list into a text bank (created if absent). Header: term, category, and optionally severity (1-5), language, match (word|substring), allow, regex, note. All or nothing: a bad row refuses the file, with its line number.',
    )
    .argument('<bank>', 'the text bank')
    .argument('<file>', 'the CSV file, or - for standard input')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (context: Context, bank: string, file: string, options: { json?: boolean }) => {
        const csv =
          file === '-'
            ? await readAll(context.io.stdin, maxListBytes, 'The term list is larger than 64 MB; split it.')
            : await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
                throw new WardenError('not_found', `Cannot read ${file}: ${error.code ?? error.message}.`);
              });
        const database = await context.database();
        const summary = await importTermList(database, bank, csv, { source: 'cli' });
        await recordAudit(database.db, {
          actor: 'cli',
          action: 'bank.terms.import',
          target: `bank:${bank}`,
          details: { ...summary },
        });
        if (options.json) writeJson(context.io, summary);
        else
          writeLine(
            context.io,
            `${summary.created_bank ? 'created' : 'updated'} text bank ${summary.bank}: ${summary.entries} entries (${summary.terms} terms, ${summary.allow} allow-list, ${summary.regex} regular expressions)`,
          );
      }),
    );

  text
    .command('export')
    .description("Print a text bank's enabled terms and rules as a CSV term list (importable again).")
    .argument('<bank>', 'the text bank')
    .action(
      action(async (context: Context, bank: string) => {
        context.io.stdout.write(await exportTermList(await context.database(), bank));
      }),
    );

  text
    .command('check')
    .description(
      'Check a text (or standard input) against the enabled text banks. Exits 0 when allowed, 1 when the verdict is review or block.',
    )
    .argument('[text]', 'the text; read from standard input when absent')
    .option(
      '--bank <name>',
      'only this text bank (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(
      new Option('--mode <mode>', 'search (a blocked query gets a deterrence message) or message')
        .choices(['search', 'message'])
        .default('message'),
    )
    .option('--json', 'print {"verdict","matches":[{"term","category","severity","start","end"}]}')
    .action(
      action(
        async (
          context: Context,
          given: string | undefined,
          options: { bank: string[]; mode: 'search' | 'message'; json?: boolean },
        ) => {
          const input =
            given ??
            (await readAll(
              context.io.stdin,
              4 * maxTextLength,
              `The text on standard input is too long: check at most ${maxTextLength} characters at a time.`,
            ));
          const { config } = context;
          const banks = await TextBanks.open(textRuleSource(await context.database()), { refreshMs: 0 });
          const result = banks.check(
            input,
            options.mode,
            textPolicy(config),
            options.bank.length === 0 ? undefined : options.bank,
          );
          if (options.json) {
            writeJson(context.io, {
              verdict: result.verdict,
              matches: result.matches.map(({ term, category, severity, start, end }) => ({
                term,
                category,
                severity,
                start,
                end,
              })),
              ...(result.deterrence === undefined ? {} : { deterrence: result.deterrence }),
            });
          } else {
            writeLine(context.io, result.verdict);
            for (const match of result.matches) {
              writeLine(
                context.io,
                `  ${match.start}-${match.end} "${match.text}" matches "${match.term}" (${match.category}, severity ${match.severity}, bank ${match.bank})`,
              );
            }
            if (result.deterrence !== undefined)
              writeLine(context.io, `  shown: ${result.deterrence.message}`);
          }
          return result.verdict === 'allow' ? 0 : 1;
        },
      ),
    );
}
