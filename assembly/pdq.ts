// PDQ's float kernels for src/hashing/pdq.ts: luminance, the two-pass Jarosz box filter, decimation to 64x64
// and the 16x16 DCT, bit for bit as Meta's reference computes them (../shared/specs/pdq.md). Every value is
// an f32 rounded after each operation; WebAssembly never fuses a multiply and an add, so the order of
// operations written here is the order of roundings, lane by lane.
//
// Why the filter looks the way it does (more than ten times faster than the reference's four passes):
// - The four 1-D passes (rows, columns, rows, columns) are fused and streamed in bands of BAND rows, so the
//   working set is a few bands plus a ring of rows instead of four full-image float buffers.
// - A column pass keeps one running sum per column and updates it row by row: each column still sees its
//   additions and subtractions in the reference's order, and four neighbouring columns share one f32x4.
// - A running sum along a row is a chain of dependent additions that cannot be reordered, so row passes work
//   on a "quad" layout where one f32x4 holds the same column of four rows; QUADS such vectors are walked
//   together so their chains overlap. 4x4 transposes move bands between row and quad layouts.
// - Divisions by the window count stay divisions (a reciprocal multiply rounds differently), four lanes at
//   a time. Only 64 columns and rows survive decimation, so the second row pass divides only at the sampled
//   columns and the second column pass runs only on them.
//
// Memory is laid out by the JavaScript side: the pixels (followed by 64 readable bytes) and a scratch area
// of `scratchBytes` bytes; nothing here allocates.

/** Quad vectors walked together by the row passes: independent addition chains keep the adders busy. */
const QUADS: i32 = 2;
/** Rows per band. */
const BAND: i32 = 4 * QUADS;
/** Bytes from one column to the next in quad layout. */
const QUAD_STEP: usize = (<usize>QUADS) << 4;

/** Where the JavaScript side may start laying out memory. */
export function heapBase(): usize {
  return __heap_base;
}

/** Window of the box filter over a line of `length` samples. */
function windowSize(length: i32): i32 {
  return (length + 127) / 128;
}

/** Bytes of a row of `width` floats, padded to whole f32x4 vectors (and to at least 64 floats). */
function rowBytes(width: i32): usize {
  return (<usize>max(64, (width + 3) & ~3)) << 2;
}

/** Bytes of scratch that `filterAndDecimate` needs for an image of this size. */
export function scratchBytes(width: i32, height: i32): usize {
  const rows = 4 + 3 * BAND + windowSize(height) + BAND;
  return rowBytes(width) * <usize>rows + ((<usize>height) << 9) + 512;
}

/**
 * How many samples the window around output `index` covers: the reference's running count, which grows at
 * the start of the line and shrinks at its end.
 */
function windowCount(index: i32, length: i32, window: i32): i32 {
  const half = (window + 2) >> 1;
  return min(length - 1, index + half - 1) - max(0, index - (window - half)) + 1;
}

/** The window count of every index of a line, as floats, padded with ones to whole vectors. */
function fillCounts(counts: usize, length: i32, window: i32): void {
  for (let index = 0; index < length; index++) {
    store<f32>(counts + ((<usize>index) << 2), <f32>windowCount(index, length, window));
  }
  for (let index = length; index & 3; index++) store<f32>(counts + ((<usize>index) << 2), 1);
}

/** Decimation picks floor(((i + 0.5) * length) / 64), computed in double precision as the reference does. */
function sampledIndex(i: i32, length: i32): i32 {
  return <i32>Math.floor(((<f64>i + 0.5) * <f64>length) / 64);
}

// Byte shuffles that widen one channel of four pixels to four i32 lanes (indexes of -1 give zero bytes).
const GREY = i8x16(0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, 3, -1, -1, -1);
const RED = i8x16(0, -1, -1, -1, 3, -1, -1, -1, 6, -1, -1, -1, 9, -1, -1, -1);
const GREEN = i8x16(1, -1, -1, -1, 4, -1, -1, -1, 7, -1, -1, -1, 10, -1, -1, -1);
const BLUE = i8x16(2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1, -1);

/** One channel of four pixels as floats (the signed conversion is exact for bytes, and one instruction). */
function channel4(bytes: v128, shuffle: v128): v128 {
  return f32x4.convert_i32x4_s(v128.swizzle(bytes, shuffle));
}

/** Luminance of four RGB pixels: ((0.299 R + 0.587 G) + 0.114 B), each product and sum rounded to f32. */
function luma4(bytes: v128): v128 {
  const r = f32x4.mul(f32x4.splat(0.299), channel4(bytes, RED));
  const g = f32x4.mul(f32x4.splat(0.587), channel4(bytes, GREEN));
  const b = f32x4.mul(f32x4.splat(0.114), channel4(bytes, BLUE));
  return f32x4.add(f32x4.add(r, g), b);
}

/**
 * Luminance of four rows (pixels p0..p3 on) into quad layout at `out`: grey as is, RGB weighted. Columns
 * past the right edge read on into the next row (or the 64 readable bytes after the pixels): those lanes
 * are never read.
 */
function lumaQuad(p0: usize, p1: usize, p2: usize, p3: usize, channels: i32, out: usize): void {
  const end = out + <usize>width * QUAD_STEP;
  if (channels == 1) {
    for (let to = out; to < end; to += 4 * QUAD_STEP) {
      const a = channel4(v128.load(p0), GREY);
      const b = channel4(v128.load(p1), GREY);
      const c = channel4(v128.load(p2), GREY);
      const d = channel4(v128.load(p3), GREY);
      storeTransposed(a, b, c, d, to, to + QUAD_STEP, to + 2 * QUAD_STEP, to + 3 * QUAD_STEP);
      p0 += 4;
      p1 += 4;
      p2 += 4;
      p3 += 4;
    }
    return;
  }
  for (let to = out; to < end; to += 4 * QUAD_STEP) {
    const a = luma4(v128.load(p0));
    const b = luma4(v128.load(p1));
    const c = luma4(v128.load(p2));
    const d = luma4(v128.load(p3));
    storeTransposed(a, b, c, d, to, to + QUAD_STEP, to + 2 * QUAD_STEP, to + 3 * QUAD_STEP);
    p0 += 12;
    p1 += 12;
    p2 += 12;
    p3 += 12;
  }
}

/** Stores the 4x4 transpose of rows a, b, c, d (four floats each): element i of every row goes to `out_i`. */
function storeTransposed(
  a: v128,
  b: v128,
  c: v128,
  d: v128,
  out0: usize,
  out1: usize,
  out2: usize,
  out3: usize,
): void {
  const ab01 = f32x4.shuffle(a, b, 0, 4, 1, 5);
  const cd01 = f32x4.shuffle(c, d, 0, 4, 1, 5);
  const ab23 = f32x4.shuffle(a, b, 2, 6, 3, 7);
  const cd23 = f32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(out0, f32x4.shuffle(ab01, cd01, 0, 1, 4, 5));
  v128.store(out1, f32x4.shuffle(ab01, cd01, 2, 3, 6, 7));
  v128.store(out2, f32x4.shuffle(ab23, cd23, 0, 1, 4, 5));
  v128.store(out3, f32x4.shuffle(ab23, cd23, 2, 3, 6, 7));
}

/** Quad layout: the vector for column x of quad q of a band. */
function quadAt(quads: usize, x: i32, q: i32): usize {
  return quads + ((<usize>(x * QUADS + q)) << 4);
}

// The image being filtered, set by filterAndDecimate and read by the passes below it.
let width: i32 = 0;
let height: i32 = 0;
let row: usize = 0;
let rowWindow: i32 = 0;
let columnWindow: i32 = 0;
let rowCounts: usize = 0;
let columnSums: usize = 0;
let zeros: usize = 0;
let discard: usize = 0;
let quadsA: usize = 0;
let quadsB: usize = 0;
let band2: usize = 0;
let pass2Rows: usize = 0;
let columns: usize = 0;

/**
 * Running sums of the reference's 1-D box filter along every row of a band in quad layout, from `input` to
 * `output`, in its four phases: fill the first half window, grow, slide (add before subtract), shrink. The
 * caller divides by the window counts where it needs averages. The two quads (QUADS is 2) are the two
 * independent chains s0 and s1.
 */
function boxSumsAlongRows(input: usize, output: usize): void {
  const half = (rowWindow + 2) >> 1;
  const lag = (<usize>(rowWindow * QUADS)) << 4;
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let next = 0;
  let to = output;
  for (; next < half - 1; next++) {
    const at = quadAt(input, next, 0);
    s0 = f32x4.add(s0, v128.load(at));
    s1 = f32x4.add(s1, v128.load(at, 16));
  }
  for (; next < rowWindow; next++, to += QUAD_STEP) {
    const at = quadAt(input, next, 0);
    s0 = f32x4.add(s0, v128.load(at));
    s1 = f32x4.add(s1, v128.load(at, 16));
    v128.store(to, s0);
    v128.store(to, s1, 16);
  }
  for (; next < width; next++, to += QUAD_STEP) {
    const at = quadAt(input, next, 0);
    s0 = f32x4.sub(f32x4.add(s0, v128.load(at)), v128.load(at - lag));
    s1 = f32x4.sub(f32x4.add(s1, v128.load(at, 16)), v128.load(at - lag, 16));
    v128.store(to, s0);
    v128.store(to, s1, 16);
  }
  const end = quadAt(output, width, 0);
  for (; to < end; next++, to += QUAD_STEP) {
    const at = quadAt(input, next, 0) - lag;
    s0 = f32x4.sub(s0, v128.load(at));
    s1 = f32x4.sub(s1, v128.load(at, 16));
    v128.store(to, s0);
    v128.store(to, s1, 16);
  }
}

/**
 * One row of a column pass: every column's running sum takes the entering row, loses the leaving row, and
 * the window average goes to `out`. Edges pass `zeros` for a missing row (adding or subtracting +0 changes
 * no sum of these non-negative images) and `discard` for an output nobody reads.
 */
function columnStep(sums: usize, added: usize, removed: usize, out: usize, count: i32, bytes: usize): void {
  const divisor = f32x4.splat(<f32>count);
  for (let at: usize = 0; at < bytes; at += 16) {
    const sum = f32x4.sub(f32x4.add(v128.load(sums + at), v128.load(added + at)), v128.load(removed + at));
    v128.store(sums + at, sum);
    v128.store(out + at, f32x4.div(sum, divisor));
  }
}

/**
 * The two-pass Jarosz filter of the image's luminance, decimated to 64x64 floats at `out` (row-major).
 * `pixels` holds imageWidth x imageHeight pixels of `channels` bytes (1 grey or 3 RGB); both sides >= 5.
 */
export function filterAndDecimate(
  pixels: usize,
  imageWidth: i32,
  imageHeight: i32,
  channels: i32,
  scratch: usize,
  out: usize,
): void {
  width = imageWidth;
  height = imageHeight;
  row = rowBytes(width);
  rowWindow = windowSize(width);
  columnWindow = windowSize(height);
  const columnHalf = (columnWindow + 2) >> 1;
  const ringRows = columnWindow + BAND;

  rowCounts = scratch;
  columnSums = rowCounts + row;
  zeros = columnSums + row;
  discard = zeros + row;
  quadsA = discard + row;
  quadsB = quadsA + row * BAND;
  band2 = quadsB + row * BAND;
  const ring = band2 + row * BAND;
  pass2Rows = ring + <usize>ringRows * row;
  const pass2Out = pass2Rows + ((<usize>height) << 8);
  columns = pass2Out + ((<usize>height) << 8);
  const pass2Sums = columns + 256;

  fillCounts(rowCounts, width, rowWindow);
  memory.fill(columnSums, 0, row);
  memory.fill(zeros, 0, row);
  for (let j = 0; j < 64; j++) store<i32>(columns + ((<usize>j) << 2), sampledIndex(j, width));

  for (let y = 0; y < height; y += BAND) {
    rowPass1(pixels, channels, y, ring, ringRows);
    for (let r = y; r < y + BAND && r < height; r++) {
      const entering = ring + <usize>(r % ringRows) * row;
      const leaving = r >= columnWindow ? ring + <usize>((r - columnWindow) % ringRows) * row : zeros;
      if (r < columnHalf - 1) columnStep(columnSums, entering, leaving, discard, 1, row);
      else columnPass1Output(entering, leaving, r - (columnHalf - 1));
    }
  }
  for (let t = 0; t < columnHalf - 1; t++) {
    const leaving = ring + <usize>((height - columnWindow + t) % ringRows) * row;
    columnPass1Output(zeros, leaving, height - columnHalf + 1 + t);
  }
  const tail = height % BAND;
  if (tail != 0) rowPass2(height - tail, tail);

  // Second column pass over the 64 sampled columns, whole height, then pick the 64 sampled rows.
  memory.fill(pass2Sums, 0, 256);
  for (let r = 0; r < height + columnHalf - 1; r++) {
    const added = r < height ? pass2Rows + ((<usize>r) << 8) : zeros;
    const leaving = r >= columnWindow ? pass2Rows + ((<usize>(r - columnWindow)) << 8) : zeros;
    const output = r - (columnHalf - 1);
    if (output < 0) columnStep(pass2Sums, added, leaving, discard, 1, 256);
    else {
      const count = windowCount(output, height, columnWindow);
      columnStep(pass2Sums, added, leaving, pass2Out + ((<usize>output) << 8), count, 256);
    }
  }
  for (let i = 0; i < 64; i++) {
    memory.copy(out + ((<usize>i) << 8), pass2Out + ((<usize>sampledIndex(i, height)) << 8), 256);
  }
}

/**
 * First row pass over the band of rows from `y`: luminance straight into quad layout, running sums, then
 * back to row layout divided by the window counts, into the ring of rows the column pass slides over. Rows
 * past the bottom repeat the last row: their lanes are computed alongside and never read.
 */
function rowPass1(pixels: usize, channels: i32, y: i32, ring: usize, ringRows: i32): void {
  const pixelRow = <usize>width * <usize>channels;
  for (let q = 0; q < QUADS; q++) {
    const p0 = pixels + <usize>min(y + 4 * q, height - 1) * pixelRow;
    const p1 = pixels + <usize>min(y + 4 * q + 1, height - 1) * pixelRow;
    const p2 = pixels + <usize>min(y + 4 * q + 2, height - 1) * pixelRow;
    const p3 = pixels + <usize>min(y + 4 * q + 3, height - 1) * pixelRow;
    lumaQuad(p0, p1, p2, p3, channels, quadAt(quadsA, 0, q));
  }
  boxSumsAlongRows(quadsA, quadsB);
  for (let q = 0; q < QUADS; q++) {
    const first = y + 4 * q;
    const r0 = ring + <usize>(first % ringRows) * row;
    const r1 = ring + <usize>((first + 1) % ringRows) * row;
    const r2 = ring + <usize>((first + 2) % ringRows) * row;
    const r3 = ring + <usize>((first + 3) % ringRows) * row;
    for (let x = 0; x < width; x += 4) {
      const at = (<usize>x) << 2;
      const from = quadAt(quadsB, x, q);
      const counts = v128.load(rowCounts + at);
      const a = v128.load(from);
      const b = v128.load(from + QUAD_STEP);
      const c = v128.load(from + 2 * QUAD_STEP);
      const d = v128.load(from + 3 * QUAD_STEP);
      // storeTransposed, with each row divided by the counts of its four columns on the way.
      const ab01 = f32x4.shuffle(a, b, 0, 4, 1, 5);
      const cd01 = f32x4.shuffle(c, d, 0, 4, 1, 5);
      const ab23 = f32x4.shuffle(a, b, 2, 6, 3, 7);
      const cd23 = f32x4.shuffle(c, d, 2, 6, 3, 7);
      v128.store(r0 + at, f32x4.div(f32x4.shuffle(ab01, cd01, 0, 1, 4, 5), counts));
      v128.store(r1 + at, f32x4.div(f32x4.shuffle(ab01, cd01, 2, 3, 6, 7), counts));
      v128.store(r2 + at, f32x4.div(f32x4.shuffle(ab23, cd23, 0, 1, 4, 5), counts));
      v128.store(r3 + at, f32x4.div(f32x4.shuffle(ab23, cd23, 2, 3, 6, 7), counts));
    }
  }
}

/** First column pass, one output row into the pass-2 band; a full band goes on to the second row pass. */
function columnPass1Output(added: usize, removed: usize, output: i32): void {
  const slot = band2 + <usize>(output % BAND) * row;
  columnStep(columnSums, added, removed, slot, windowCount(output, height, columnWindow), row);
  if (output % BAND == BAND - 1) rowPass2(output - (BAND - 1), BAND);
}

/**
 * Second row pass over the first `rows` rows of the pass-2 band: to quad layout, running sums, divided
 * only at the 64 sampled columns.
 */
function rowPass2(first: i32, rows: i32): void {
  for (let q = 0; q < QUADS; q++) {
    const r0 = band2 + <usize>(4 * q) * row;
    for (let x = 0; x < width; x += 4) {
      const at = (<usize>x) << 2;
      const a = v128.load(r0 + at);
      const b = v128.load(r0 + row + at);
      const c = v128.load(r0 + 2 * row + at);
      const d = v128.load(r0 + 3 * row + at);
      const to = quadAt(quadsA, x, q);
      storeTransposed(a, b, c, d, to, to + QUAD_STEP, to + 2 * QUAD_STEP, to + 3 * QUAD_STEP);
    }
  }
  boxSumsAlongRows(quadsA, quadsB);
  for (let j = 0; j < 64; j++) {
    const column = load<i32>(columns + ((<usize>j) << 2));
    const count = load<f32>(rowCounts + ((<usize>column) << 2));
    for (let k = 0; k < rows; k++) {
      const sum = load<f32>(quadAt(quadsB, column, k >> 2) + ((<usize>(k & 3)) << 2));
      store<f32>(pass2Rows + ((<usize>(first + k)) << 8) + ((<usize>j) << 2), sum / count);
    }
  }
}

/**
 * B = D · A · Dᵀ for the 64x64 buffer A: `matrix` is D (16x64), `transposed` is Dᵀ (64x16), `temp` holds
 * T = D · A (16x64). Each entry sums its 64 products in order from 0; four lanes are four entries.
 */
export function dct(input: usize, matrix: usize, transposed: usize, temp: usize, out: usize): void {
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j += 4) {
      let sum = f32x4.splat(0);
      for (let k = 0; k < 64; k++) {
        const d = v128.load32_splat(matrix + ((<usize>(i * 64 + k)) << 2));
        sum = f32x4.add(sum, f32x4.mul(d, v128.load(input + ((<usize>(k * 64 + j)) << 2))));
      }
      v128.store(temp + ((<usize>(i * 64 + j)) << 2), sum);
    }
  }
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j += 4) {
      let sum = f32x4.splat(0);
      for (let k = 0; k < 64; k++) {
        const t = v128.load32_splat(temp + ((<usize>(i * 64 + k)) << 2));
        sum = f32x4.add(sum, f32x4.mul(t, v128.load(transposed + ((<usize>(k * 16 + j)) << 2))));
      }
      v128.store(out + ((<usize>(i * 16 + j)) << 2), sum);
    }
  }
}
