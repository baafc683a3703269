// Worker thread of the PDQ index (pdq-index-background.ts): builds segments off the event loop. A fold
// merges a segment's live entries (read from its shared memory) with the append area's; a build indexes a
// whole list of entries. The answer is the new segments' shared memories and entry ids: nothing is copied
// back.
import { parentPort, workerData } from 'node:worker_threads';
import { toUserError } from '../errors/index.js';
import type { IndexJob, IndexJobReply } from './pdq-index-background.js';
import { PdqIndex } from './pdq-index.js';
import { PdqSegment, mergeEntries } from './pdq-index-segment.js';
import type { SharedSegment } from './pdq-index-segment.js';

const port = parentPort;
if (port === null) throw new Error('pdq-index-worker.ts runs only as a worker thread of the PDQ index.');

function run(job: IndexJob): SharedSegment[] {
  if (job.kind === 'build') {
    return PdqIndex.build(job.ids, job.hashes, job.options).shareSegments();
  }
  const { target, extraIds, extraHashes } = job;
  const merged =
    target === undefined
      ? { ids: extraIds, hashes: extraHashes }
      : mergeEntries(
          target.ids,
          target.alive,
          new Uint8Array(target.kernel.memory.buffer, target.kernel.hashesAt, target.ids.length * 32),
          extraIds,
          extraHashes,
        );
  if (merged.ids.length === 0) return [];
  return [new PdqSegment(job.settings, merged.ids, merged.hashes).share()];
}

try {
  port.postMessage({ ok: true, segments: run(workerData as IndexJob) } satisfies IndexJobReply);
} catch (error) {
  port.postMessage({ ok: false, message: toUserError(error).message } satisfies IndexJobReply);
}
