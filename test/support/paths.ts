// Where the reference vectors are: ../shared/vectors beside this checkout.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Absolute path of a file under ../shared/vectors, failing with a clear message if the folder is absent. */
export function vectorPath(relative: string): string {
  const root = resolve(repositoryRoot, '..', 'shared', 'vectors');
  if (!existsSync(root)) {
    throw new Error(
      `The reference vectors are missing: expected them at ${root} (the shared/ folder beside this checkout).`,
    );
  }
  return join(root, relative);
}
