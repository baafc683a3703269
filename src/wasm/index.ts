// Loads the WebAssembly modules that `scripts/build-wasm.js` compiles from assembly/*.ts into build/wasm/.
// Works from src/ (tests, tsx) and dist/ (the installed CLI): both sit two levels below the package root.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WardenError } from '../errors/index.js';

const compiled = new Map<string, WebAssembly.Module>();

/** Compiles build/wasm/NAME.wasm once per process and instantiates it synchronously. */
export function instantiateWasm(name: string, imports: WebAssembly.Imports = {}): WebAssembly.Instance {
  let module = compiled.get(name);
  if (module === undefined) {
    const path = fileURLToPath(new URL(`../../build/wasm/${name}.wasm`, import.meta.url));
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new WardenError(
        'configuration',
        `The compiled WebAssembly module ${path} is missing. Run "npm install" (or "npm run build") in the Warden folder.`,
      );
    }
    module = new WebAssembly.Module(bytes);
    compiled.set(name, module);
  }
  return new WebAssembly.Instance(module, imports);
}
