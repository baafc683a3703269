// The FAISS anchor of the PDQ index bench: bench/support/pdq-faiss.py, run by Debian's python3 with
// python3-faiss, kept running for the whole bench so that its rounds interleave with Warden's (one JSON
// command per line on stdin, one answer per line on stdout).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./pdq-faiss.py', import.meta.url));
// Debian's interpreter first: python3-faiss installs there, not into a python3 that comes earlier on PATH.
const interpreters = ['/usr/bin/python3', 'python3'];

export const faissMissing =
  'FAISS not installed: apt-get install python3-faiss (Debian), then run the bench again';

/** The first python3 that imports faiss, or undefined. */
export function findFaissPython(): string | undefined {
  return interpreters.find(
    (python) => spawnSync(python, ['-c', 'import faiss'], { stdio: 'ignore' }).status === 0,
  );
}

export type FaissIndexKind = 'multihash' | 'flat';

export interface FaissAnswer {
  /** Milliseconds per query (single mode) or for the whole batch (batch mode). */
  times: number[];
  /** Matching row numbers per query, ascending, when asked for. */
  results: number[][] | null;
}

export class FaissAnchor {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    readonly version: string,
    readonly buildSeconds: Record<FaissIndexKind, number>,
  ) {}

  /** Starts the script on raw hash files (32 bytes a hash) and waits until both indexes are built. */
  static async start(
    python: string,
    hashesPath: string,
    queriesPath: string,
    threshold: number,
  ): Promise<FaissAnchor> {
    const child = spawn(python, [script, hashesPath, queriesPath, String(threshold)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const first = await nextLine(lines, () => stderr);
    const ready = JSON.parse(first) as { version: string; build: Record<FaissIndexKind, number> };
    return new FaissAnchor(child, lines, ready.version, ready.build);
  }

  async query(index: FaissIndexKind, mode: 'single' | 'batch', count: number, results = false) {
    this.child.stdin.write(JSON.stringify({ index, mode, count, results }) + '\n');
    return JSON.parse(await nextLine(this.lines, () => '')) as FaissAnswer;
  }

  close(): void {
    this.lines.close();
    this.child.stdin.end();
  }
}

function nextLine(lines: Interface, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      lines.off('close', onClose);
      resolve(line);
    };
    const onClose = () => {
      lines.off('line', onLine);
      reject(new Error(`the FAISS anchor stopped: ${stderr() || 'no message'}`));
    };
    lines.once('line', onLine);
    lines.once('close', onClose);
  });
}
