// `warden hash`: PDQ, quality, MD5 and SHA-256 of image files, hashed on every core.
import type { Command } from 'commander';
import { Option } from 'commander';
import { createHashingPool, hashingPoolOptions } from '../hashing/index.js';
import type { HashFileResult } from '../hashing/index.js';
import type { Context } from './context.js';
import { errorJson, progressBar, writeJson, writeLine } from './io.js';
import type { Action } from './index.js';

export interface HashCommandOptions {
  json?: boolean;
  pipeline: 'full' | 'cli512';
  dihedral?: boolean;
}

export const pipelineOption = () =>
  new Option(
    '--pipeline <pipeline>',
    'full: hash the whole image (as HMA does); cli512: as the reference CLI, after a 512x512 reduction',
  )
    .choices(['full', 'cli512'])
    .default('full');

export function registerHash(program: Command, action: Action): void {
  program
    .command('hash')
    .description('Hash image files: PDQ (with quality), MD5 and SHA-256 of the bytes.')
    .argument('<file...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, AVIF)')
    .option('--json', 'one JSON object per line: {"file","pdq","quality","md5","sha256","width","height"}')
    .addOption(pipelineOption())
    .option('--dihedral', 'also print the 7 rotated and flipped PDQ variants')
    .action(action(hashCommand));
}

async function hashCommand(context: Context, files: string[], options: HashCommandOptions): Promise<number> {
  const { io } = context;
  let failed = 0;
  await hashInOrder(context, files, options, (file, result) => {
    if (result.ok) {
      // ContentHashes is already the documented JSON shape: pdq, quality, md5, sha256, width, height.
      if (options.json) writeJson(io, { file, ...result.hashes });
      else
        writeLine(
          io,
          `${result.hashes.pdq}  quality ${result.hashes.quality}  ${result.hashes.width}x${result.hashes.height}  ${file}`,
        );
      return;
    }
    failed += 1;
    if (options.json) writeJson(io, { file, error: result.error });
    else io.stderr.write(`warden: ${file}: ${result.error.message}\n`);
  });
  return failed > 0 ? 1 : 0;
}

/**
 * Hashes files on a pool of worker threads and hands each result to `emit` in input order, as soon as
 * it and all before it are done, so long batches stream their output.
 */
export async function hashInOrder(
  context: Context,
  files: string[],
  options: { pipeline: 'full' | 'cli512'; dihedral?: boolean | undefined },
  emit: (file: string, result: HashFileResult) => void,
): Promise<void> {
  const pool = createHashingPool(hashingPoolOptions(context.config));
  const bar = progressBar(context.io, 'Hashing', files.length, 'files');
  const done: (HashFileResult | undefined)[] = new Array<HashFileResult | undefined>(files.length);
  let next = 0;
  let finished = 0;
  const flush = () => {
    for (let result = done[next]; result !== undefined; result = done[next]) {
      emit(files[next] ?? '', result);
      done[next] = undefined;
      next += 1;
    }
  };
  try {
    await pool.hashFiles(
      files,
      { pipeline: options.pipeline, dihedral: options.dihedral === true },
      (index, result) => {
        done[index] = result;
        finished += 1;
        bar.update(finished);
        flush();
      },
    );
    flush();
  } catch (error) {
    // A failure of the pool itself (not of one file) still reports every remaining file.
    for (; next < files.length; next += 1)
      emit(files[next] ?? '', { file: files[next] ?? '', ok: false, error: errorJson(error) });
  } finally {
    bar.stop();
    await pool.close();
  }
}
