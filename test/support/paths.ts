// Where things are for tests: the reference vectors (../shared/vectors beside this checkout) and the
// `warden` binary, and the environment a child `warden` process gets.
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

/** The `warden` binary as users run it (bin/warden.js over the compiled dist/). */
export const wardenBinary = join(repositoryRoot, 'bin', 'warden.js');

/**
 * The environment for a child `warden` process: this process's environment without its own Warden
 * configuration (so nothing leaks in), plus exactly `environment`.
 */
export function childEnvironment(environment: Record<string, string>): Record<string, string | undefined> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('WARDEN_') && name !== 'DATABASE_URL'),
  );
  return { ...inherited, ...environment };
}
