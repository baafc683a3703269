// Runs PDQ index work that takes seconds at millions of entries (folding the append area into a segment,
// building an index) in a worker thread (pdq-index-worker.ts), so that the event loop keeps answering
// requests, and matching keeps using the old segments, until the new ones are swapped in whole.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WardenError } from '../errors/index.js';
import type { PdqIndexOptions } from './pdq-index.js';
import type { SegmentSettings, SharedSegment } from './pdq-index-segment.js';

export type IndexJob =
  | {
      kind: 'fold';
      settings: SegmentSettings;
      /** The segment to merge into; none for a new segment. */
      target: SharedSegment | undefined;
      /** Ascending, with their hashes in that order. */
      extraIds: Float64Array;
      extraHashes: Uint8Array;
    }
  | { kind: 'build'; options: PdqIndexOptions; ids: Float64Array; hashes: Uint8Array };

export type IndexJobReply = { ok: true; segments: SharedSegment[] } | { ok: false; message: string };

/**
 * Runs one job in a new worker thread and returns the segments it built. The job's own buffers (extra
 * entries, or ids and hashes to build) are moved to the worker, not copied: the caller must not use them
 * afterwards.
 */
export function runIndexJob(job: IndexJob): Promise<SharedSegment[]> {
  const moved = job.kind === 'fold' ? [job.extraIds, job.extraHashes] : [job.ids, job.hashes];
  const transferList = moved
    .map((array) => array.buffer)
    .filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
  const worker = startWorker(job, transferList);
  return new Promise<SharedSegment[]>((resolve, reject) => {
    worker.once('message', (reply: IndexJobReply) => {
      if (reply.ok) resolve(reply.segments);
      else reject(new WardenError('internal', `Building the PDQ index failed: ${reply.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(
        new WardenError('internal', `The PDQ index worker stopped (exit code ${code}) before answering.`),
      ),
    );
  }).finally(() => void worker.terminate());
}

/**
 * The compiled pdq-index-worker.js beside this file or, when this file is the TypeScript source (under
 * Vitest or tsx), pdq-index-worker.ts through tsx's loader, registered inside the thread first (Node 20
 * does not apply `--import` loaders to worker threads).
 */
function startWorker(workerData: IndexJob, transferList: ArrayBuffer[]): Worker {
  const here = import.meta.url;
  const options = { workerData, transferList };
  if (!here.endsWith('.ts')) return new Worker(new URL('./pdq-index-worker.js', here), options);
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./pdq-index-worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
