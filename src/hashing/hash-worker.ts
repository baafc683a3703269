// Worker thread of the hashing pool (pool.ts): hashes the files or bytes it is sent and answers each with
// its hashes or a user-facing error. A bad image is an answer, never a crash of the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { toUserError } from '../errors/index.js';
import { hashFile, hashImage } from './hash-image.js';
import type { ImageLimits } from './decode.js';
import type { WorkerReply, WorkerTask } from './pool.js';

const port = parentPort;
if (port === null) throw new Error('hash-worker.ts runs only as a worker thread of the hashing pool.');
const { limits } = workerData as { limits: ImageLimits };

port.on('message', (task: WorkerTask) => {
  const options = { limits, pipeline: task.pipeline, dihedral: task.dihedral };
  const hashing = 'file' in task ? hashFile(task.file, options) : hashImage(task.bytes, options);
  hashing.then(
    (hashes) => port.postMessage({ id: task.id, ok: true, hashes } satisfies WorkerReply),
    (error: unknown) => {
      const { code, message } = toUserError(error);
      port.postMessage({ id: task.id, ok: false, error: { code, message } } satisfies WorkerReply);
    },
  );
});
