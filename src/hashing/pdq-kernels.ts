// The bridge to assembly/pdq.ts, the WebAssembly kernels of PDQ (luminance, Jarosz filter, decimation, DCT).
// One instance per thread, created on first use. This module lays out its linear memory:
//
//   [DCT matrix D 16x64][Dᵀ 64x16][D·A 16x64][A: 64x64 image buffer][B: 16x16 DCT][filter scratch][pixels + 64]
//
// The pixels go last because their size varies most; the 64 bytes after them let the kernels read whole
// vectors past the end of a row.
import { WardenError } from '../errors/index.js';
import { instantiateWasm } from '../wasm/index.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(width: number, height: number): number;
  filterAndDecimate(
    pixels: number,
    width: number,
    height: number,
    channels: number,
    scratch: number,
    out: number,
  ): void;
  dct(input: number, matrix: number, transposed: number, temp: number, out: number): void;
}

const PAGE = 65536;
/** A thread keeps at most this much kernel memory between images; beyond, it is released after use. */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * D[i][j] = float(float(sqrt(2/64)) * cos((π / 128) * (i + 1) * (2j + 1))): the cosine in double precision,
 * then rounded, as the reference computes it.
 */
export function dctMatrix(): Float32Array {
  const matrix = new Float32Array(16 * 64);
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i += 1) {
    for (let j = 0; j < 64; j += 1) {
      matrix[i * 64 + j] = Math.fround(scale * Math.cos((Math.PI / 128) * (i + 1) * (2 * j + 1)));
    }
  }
  return matrix;
}

class Kernels {
  private readonly exports: KernelExports;
  private readonly matrix: number;
  private readonly transposed: number;
  private readonly temp: number;
  private readonly image64: number;
  private readonly dct16: number;
  private readonly scratch: number;
  private pixels = 0;
  private width = 0;
  private height = 0;
  private channels = 0;

  constructor() {
    this.exports = instantiateWasm('pdq').exports as unknown as KernelExports;
    this.matrix = (this.exports.heapBase() + 15) & ~15;
    this.transposed = this.matrix + 16 * 64 * 4;
    this.temp = this.transposed + 64 * 16 * 4;
    this.image64 = this.temp + 16 * 64 * 4;
    this.dct16 = this.image64 + 64 * 64 * 4;
    this.scratch = this.dct16 + 16 * 16 * 4;
    this.reserve(this.scratch);
    const matrix = dctMatrix();
    const memory = new Float32Array(this.exports.memory.buffer);
    memory.set(matrix, this.matrix / 4);
    for (let i = 0; i < 16; i += 1) {
      for (let j = 0; j < 64; j += 1) memory[this.transposed / 4 + j * 16 + i] = matrix[i * 64 + j] ?? 0;
    }
  }

  /**
   * Room for width x height pixels of `channels` bytes; the caller fills the returned view (valid until the
   * next call) and then calls `run`.
   */
  pixelArea(width: number, height: number, channels: number): Uint8Array {
    const bytes = width * height * channels;
    this.pixels = (this.scratch + this.exports.scratchBytes(width, height) + 15) & ~15;
    this.reserve(this.pixels + bytes + 64);
    this.width = width;
    this.height = height;
    this.channels = channels;
    return new Uint8Array(this.exports.memory.buffer, this.pixels, bytes);
  }

  /** Filters the pixels last placed by `pixelArea`; returns copies of the 64x64 buffer and the 16x16 DCT. */
  run(): { image64: Float32Array; dct16: Float32Array } {
    const { exports } = this;
    exports.filterAndDecimate(
      this.pixels,
      this.width,
      this.height,
      this.channels,
      this.scratch,
      this.image64,
    );
    exports.dct(this.image64, this.matrix, this.transposed, this.temp, this.dct16);
    const buffer = exports.memory.buffer;
    return {
      image64: new Float32Array(buffer, this.image64, 64 * 64).slice(),
      dct16: new Float32Array(buffer, this.dct16, 16 * 16).slice(),
    };
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  private reserve(bytes: number): void {
    const missing = bytes - this.exports.memory.buffer.byteLength;
    if (missing <= 0) return;
    try {
      this.exports.memory.grow(Math.ceil(missing / PAGE));
    } catch {
      throw new WardenError(
        'too_large',
        `The image is too large to hash: it needs ${Math.ceil(bytes / 1048576)} MiB of working memory, more than is available.`,
      );
    }
  }
}

let kernels: Kernels | undefined;

/**
 * Runs the kernels on one image: `fill` writes width x height pixels of `channels` bytes into the view it
 * is given. Returns the 64x64 filtered, decimated buffer and the 16x16 DCT.
 */
export function filterAndDct(
  width: number,
  height: number,
  channels: number,
  fill: (pixels: Uint8Array) => void,
): { image64: Float32Array; dct16: Float32Array } {
  kernels ??= new Kernels();
  try {
    fill(kernels.pixelArea(width, height, channels));
    return kernels.run();
  } finally {
    // A rare huge image should not pin its memory in this thread for good.
    if (kernels.memoryBytes > KEEP_BYTES) kernels = undefined;
  }
}
