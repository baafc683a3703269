// `warden match`: look up image files and hashes in the banks.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { WardenError } from '../errors/index.js';
import { parsePdqHash, parseSignal } from '../hashing/index.js';
import { matchJson } from '../matching/index.js';
import type { MatchOptions, MatchQuery, MatchResult, Matcher } from '../matching/index.js';
import type { Context } from './context.js';
import { hashInOrder, pipelineOption } from './hash.js';
import { positiveInteger } from './bank.js';
import { errorJson, writeJson, writeLine } from './io.js';
import type { Action } from './index.js';

interface MatchCommandOptions {
  json?: boolean;
  bank: string[];
  threshold?: string;
  dihedral?: boolean;
  hash: string[];
  hashes?: string;
  pipeline: 'full' | 'cli512';
}

/** A query as printed back to the user, and the signals it is matched on (absent when it failed). */
interface Query {
  shown: Record<string, unknown>;
  signals?: MatchQuery;
  error?: { code: string; message: string };
}

const batchSize = 1000;
const collect = (value: string, previous: string[]) => [...previous, value];

export function registerMatch(program: Command, action: Action): void {
  program
    .command('match')
    .description(
      'Look up image files and hashes in the banks. Output follows the order of the files, then --hash, then --hashes.',
    )
    .argument('[file...]', 'image files to hash and look up (PDQ, MD5 and SHA-256)')
    .option(
      '--json',
      'one JSON object per query: {"query":{...},"matches":[{"bank","signal_type","signal","distance","entry_id"}],"truncated":false}',
    )
    .option('--bank <name>', 'only this bank (repeatable)', collect, [])
    .option('--threshold <n>', 'largest PDQ distance that matches (default 31, or WARDEN_MATCH_THRESHOLD)')
    .option('--dihedral', 'for files, also look up the rotated and flipped variants')
    .option(
      '--hash <hex>',
      'a hash to look up: PDQ (64 hex), MD5 (32 hex), or TYPE:HEX as in sha256:... (repeatable)',
      collect,
      [],
    )
    .option('--hashes <file>', 'a file of hashes, one per line in the --hash syntax ("-" for standard input)')
    .addOption(pipelineOption())
    .action(action(matchCommand));
}

async function matchCommand(
  context: Context,
  files: string[],
  options: MatchCommandOptions,
): Promise<number> {
  if (files.length === 0 && options.hash.length === 0 && options.hashes === undefined) {
    throw new WardenError(
      'invalid_argument',
      'Nothing to match: give image files, --hash HEX or --hashes FILE.',
    );
  }
  const matchOptions = {
    banks: options.bank,
    dihedral: options.dihedral === true,
    ...(options.threshold === undefined
      ? {}
      : { threshold: positiveInteger('--threshold', options.threshold) }),
  };
  const matcher = await context.matcher();
  try {
    return await matchAll(context, matcher, files, options, matchOptions);
  } finally {
    matcher.close();
  }
}

async function matchAll(
  context: Context,
  matcher: Matcher,
  files: string[],
  options: MatchCommandOptions,
  matchOptions: MatchOptions,
): Promise<number> {
  // Bank names and the threshold are checked up front, so a mistake fails before any hashing.
  matcher.checkOptions(matchOptions);
  let failed = 0;
  const pending: Query[] = [];
  const flush = async () => {
    const batch = pending.splice(0);
    const valid = batch.filter((query) => query.signals !== undefined);
    const results = await matcher.matchBatch(
      valid.map((query) => query.signals ?? {}),
      matchOptions,
    );
    let next = 0;
    for (const query of batch) {
      if (query.signals === undefined) failed += 1;
      printResult(
        context,
        query,
        query.signals === undefined ? undefined : results[next++],
        options.json === true,
      );
    }
  };
  const add = async (query: Query) => {
    pending.push(query);
    if (pending.length >= batchSize) await flush();
  };
  if (files.length > 0) {
    const hashed: Query[] = [];
    await hashInOrder(
      context,
      files,
      { pipeline: options.pipeline, dihedral: options.dihedral },
      (file, result) => {
        hashed.push(
          result.ok
            ? {
                shown: {
                  file,
                  pdq: result.hashes.pdq,
                  quality: result.hashes.quality,
                  md5: result.hashes.md5,
                  sha256: result.hashes.sha256,
                },
                signals: {
                  pdq: result.hashes.pdq,
                  quality: result.hashes.quality,
                  md5: result.hashes.md5,
                  sha256: result.hashes.sha256,
                  ...(result.hashes.dihedral === undefined ? {} : { dihedral: result.hashes.dihedral }),
                },
              }
            : { shown: { file }, error: result.error },
        );
      },
    );
    for (const query of hashed) await add(query);
  }
  for (const text of options.hash) await add(hashQuery(text));
  if (options.hashes !== undefined) {
    const input = options.hashes === '-' ? context.io.stdin : createReadStream(options.hashes);
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() === '' || line.trim().startsWith('#')) continue;
        await add(hashQuery(line));
      }
    } catch (error) {
      throw new WardenError('not_found', `Cannot read ${options.hashes}: ${(error as Error).message}.`);
    }
  }
  await flush();
  return failed > 0 ? 1 : 0;
}

/** Parses `HEX` (PDQ when 64 characters, MD5 when 32) or `TYPE:HEX`. A bad hash fails only its own query. */
function hashQuery(text: string): Query {
  const trimmed = text.trim();
  const separator = trimmed.indexOf(':');
  const type =
    separator >= 0 ? trimmed.slice(0, separator).toLowerCase() : trimmed.length === 32 ? 'md5' : 'pdq';
  const value = separator >= 0 ? trimmed.slice(separator + 1) : trimmed;
  try {
    switch (type) {
      case 'pdq':
        return { shown: { pdq: value.toLowerCase() }, signals: { pdq: parsePdqHash(value) } };
      case 'md5':
        return { shown: { md5: value.toLowerCase() }, signals: { md5: parseSignal('md5', value) } };
      case 'sha256':
        return { shown: { sha256: value.toLowerCase() }, signals: { sha256: parseSignal('sha256', value) } };
      default:
        throw new WardenError(
          'invalid_hash',
          `Unknown hash type "${type.slice(0, 20)}": use pdq:, md5: or sha256:.`,
        );
    }
  } catch (error) {
    return { shown: { hash: trimmed.slice(0, 100) }, error: errorJson(error) };
  }
}

function printResult(context: Context, query: Query, result: MatchResult | undefined, json: boolean): void {
  const { io } = context;
  const label = String(
    query.shown.file ?? query.shown.pdq ?? query.shown.md5 ?? query.shown.sha256 ?? query.shown.hash,
  );
  if (result === undefined) {
    if (json) writeJson(io, { query: query.shown, error: query.error });
    else io.stderr.write(`warden: ${label}: ${query.error?.message ?? 'failed'}\n`);
    return;
  }
  const shown =
    query.signals?.quality === undefined ? query.shown : { ...query.shown, low_quality: result.lowQuality };
  if (json) {
    // The command line runs with full rights over its own database (it can export the banks), so it shows
    // the entries' signals that the server keeps from callers who may not read the banks.
    writeJson(io, { query: shown, matches: result.matches.map(matchJson), truncated: result.truncated });
    return;
  }
  const caveat = result.lowQuality ? ' (low-quality image: do not act on PDQ matches alone)' : '';
  if (result.matches.length === 0) {
    writeLine(io, `${label}: no match${caveat}`);
    return;
  }
  writeLine(
    io,
    `${label}: ${result.truncated ? 'the nearest ' : ''}${result.matches.length} match${result.matches.length === 1 ? '' : 'es'}${result.truncated ? ' (more matched; WARDEN_MAX_MATCHES sets how many are shown)' : ''}${caveat}`,
  );
  for (const match of result.matches) {
    const variant = match.variant === undefined ? '' : ` variant ${match.variant}`;
    writeLine(
      io,
      `  ${match.bank} (${match.category}) ${match.signalType} distance ${match.distance}${variant} entry ${match.entryId} ${match.signal}`,
    );
  }
}
