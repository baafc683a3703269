// Compiles the AssemblyScript hot loops in assembly/*.ts to build/wasm/*.wasm.
// Runs from `npm install` (prepare), `npm test` and `npm run bench`; skips modules whose output is newer
// than their source. Per-module compiler flags sit in the source's first line: `// asc-flags: ...`.
import { readdirSync, readFileSync, statSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

const sourceDir = 'assembly';
const outDir = join('build', 'wasm');
const baseFlags = ['-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd'];

mkdirSync(outDir, { recursive: true });
const sources = existsSync(sourceDir)
  ? readdirSync(sourceDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  : [];

let failed = false;
for (const file of sources) {
  const source = join(sourceDir, file);
  const output = join(outDir, file.replace(/\.ts$/, '.wasm'));
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs) continue;
  const firstLine = readFileSync(source, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^\/\/\s*asc-flags:(.*)$/.exec(firstLine);
  const extraFlags = match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
  const { error, stderr } = await asc.main([source, '--outFile', output, ...baseFlags, ...extraFlags]);
  if (error) {
    failed = true;
    process.stderr.write(`build-wasm: ${source} failed to compile: ${error.message}\n${stderr.toString()}\n`);
  }
}
if (failed) process.exit(1);
