// A pool of worker threads that hash images on every core. Each worker reads, decodes and hashes whole
// files or uploaded bytes (hash-worker.ts); this side queues the work, collects answers in input order,
// replaces a worker that dies, and shuts the threads down. A file that cannot be hashed is one error
// result, never a failed batch.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import type { WardenErrorCode } from '../errors/index.js';
import { checkFileSize, checkLimits } from './decode.js';
import type { ImageLimits } from './decode.js';
import type { ContentHashes } from './hash-image.js';
import type { PdqPipeline } from './pdq.js';

export interface HashingPoolOptions {
  /** Worker threads; default one per available core. */
  size?: number | undefined;
  limits: ImageLimits;
}

export interface HashFilesOptions {
  /** Default `full`. */
  pipeline?: PdqPipeline | undefined;
  dihedral?: boolean | undefined;
}

/** Why one file could not be hashed: a WardenError's code and message. */
export interface HashFileError {
  code: string;
  message: string;
}

export type HashFileResult =
  { file: string; ok: true; hashes: ContentHashes } | { file: string; ok: false; error: HashFileError };

export interface HashingPool {
  readonly size: number;
  /**
   * Hashes files on the pool. Resolves with one result per file, in input order; `onResult` sees each
   * result as soon as it is ready (in completion order), for progress reporting.
   */
  hashFiles(
    files: readonly string[],
    options?: HashFilesOptions,
    onResult?: (index: number, result: HashFileResult) => void,
  ): Promise<HashFileResult[]>;
  /**
   * Hashes one image held in memory (an upload) on the pool, keeping the caller's thread free. Rejects
   * with the WardenError hashImage would throw.
   */
  hashBytes(bytes: Uint8Array, options?: HashFilesOptions): Promise<ContentHashes>;
  /** Lets queued work finish, then stops the threads. The pool accepts no work afterwards. */
  close(): Promise<void>;
}

/** Messages between the pool and its workers: a file to read, or bytes already read. */
export type WorkerTask = { id: number; pipeline: PdqPipeline; dihedral: boolean } & (
  { file: string } | { bytes: Uint8Array<ArrayBuffer> }
);
export type WorkerReply =
  { id: number; ok: true; hashes: ContentHashes } | { id: number; ok: false; error: HashFileError };
type Outcome = { ok: true; hashes: ContentHashes } | { ok: false; error: HashFileError };

interface Task {
  message: WorkerTask;
  settle(outcome: Outcome): void;
}

interface Slot {
  worker: Worker;
  running: Map<number, Task>;
  failure?: string;
}

/**
 * Images each worker holds at once. With two, a worker hashes one image while libvips decodes the next on
 * libuv's threads, so the cores stay busy; more would only hold more decoded images in memory.
 */
const TASKS_PER_WORKER = 2;

/**
 * Starts one worker: the compiled hash-worker.js beside this file or, when this file is the TypeScript
 * source (under Vitest or tsx), hash-worker.ts through tsx's loader. Node 20 does not apply `--import`
 * loaders to worker threads, so a one-line bootstrap registers tsx inside the thread first.
 */
function startWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', here), { workerData });
  // The module tsx exports as "tsx/esm/api" for import (require.resolve would give its CommonJS twin).
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./hash-worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Pool options from configuration: the image limits, and a thread count where one is set (0 = per core). */
export function hashingPoolOptions(
  config: Pick<Config, 'maxImageBytes' | 'maxImagePixels' | 'hashingThreads'>,
): HashingPoolOptions {
  return {
    limits: { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels },
    ...(config.hashingThreads > 0 ? { size: config.hashingThreads } : {}),
  };
}

/** Starts a hashing pool; call close() when done. Throws 'invalid_argument' for a bad size or limits. */
export function createHashingPool(options: HashingPoolOptions): HashingPool {
  checkLimits(options.limits);
  const size = options.size ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) {
    throw new WardenError(
      'invalid_argument',
      `The hashing pool needs a whole number of threads >= 1; got ${size}.`,
    );
  }
  return new Pool(size, options.limits);
}

class Pool implements HashingPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private pending = 0;
  private idle: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly limits: ImageLimits,
  ) {}

  async hashFiles(
    files: readonly string[],
    options: HashFilesOptions = {},
    onResult?: (index: number, result: HashFileResult) => void,
  ): Promise<HashFileResult[]> {
    this.checkOpen();
    return Promise.all(
      files.map(async (file, index) => {
        const outcome = await this.submit({ file }, options);
        const result: HashFileResult = { file, ...outcome };
        onResult?.(index, result);
        return result;
      }),
    );
  }

  async hashBytes(bytes: Uint8Array, options: HashFilesOptions = {}): Promise<ContentHashes> {
    this.checkOpen();
    checkFileSize(bytes.length, this.limits);
    // A copy of exactly these bytes, handed over to the worker rather than cloned: a Buffer may be a view
    // into a much larger allocation, all of which structured cloning would copy.
    const outcome = await this.submit({ bytes: new Uint8Array(bytes) }, options);
    if (outcome.ok) return outcome.hashes;
    throw new WardenError(outcome.error.code as WardenErrorCode, outcome.error.message);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pending > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private checkOpen(): void {
    if (this.closed) throw new WardenError('unavailable', 'The hashing pool is closed; create a new one.');
  }

  private submit(
    input: { file: string } | { bytes: Uint8Array<ArrayBuffer> },
    options: HashFilesOptions,
  ): Promise<Outcome> {
    return new Promise((resolve) => {
      this.pending += 1;
      const message: WorkerTask = {
        id: this.nextId++,
        pipeline: options.pipeline ?? 'full',
        dihedral: options.dihedral === true,
        ...input,
      };
      this.queue.push({
        message,
        settle: (outcome) => {
          resolve(outcome);
          this.pending -= 1;
          if (this.pending === 0) this.idle.splice(0).forEach((wake) => wake());
        },
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.slots.length < this.size && this.queue.length > 0) this.slots.push(this.start());
    for (const slot of this.slots) {
      while (slot.running.size < TASKS_PER_WORKER) {
        const task = this.queue.shift();
        if (task === undefined) return;
        slot.running.set(task.message.id, task);
        slot.worker.ref();
        const { message } = task;
        slot.worker.postMessage(message, 'bytes' in message ? [message.bytes.buffer] : []);
      }
    }
  }

  private start(): Slot {
    const worker = startWorker({ limits: this.limits });
    const slot: Slot = { worker, running: new Map() };
    worker.on('message', (reply: WorkerReply) => {
      const task = slot.running.get(reply.id);
      if (task === undefined) return;
      slot.running.delete(reply.id);
      // An idle worker must not keep the process alive if the caller forgets close().
      if (slot.running.size === 0) worker.unref();
      task.settle(reply.ok ? { ok: true, hashes: reply.hashes } : { ok: false, error: reply.error });
      this.dispatch();
    });
    worker.on('error', (error) => {
      slot.failure = error.message;
    });
    worker.on('exit', () => this.replace(slot));
    return slot;
  }

  /** A worker that stopped fails the work it held and, if work is queued, gets a successor. */
  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const message =
      'The hashing worker stopped unexpectedly while hashing this image' +
      (slot.failure === undefined ? '.' : ` (${slot.failure}).`) +
      ' Other images are not affected; try this one again.';
    const running = [...slot.running.values()];
    slot.running.clear();
    for (const task of running) task.settle({ ok: false, error: { code: 'internal', message } });
    this.dispatch();
  }
}
