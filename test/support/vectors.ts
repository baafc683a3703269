// The reference vectors' PDQ expectation files (../shared/vectors/pdq/expected), as tests read them.
import { readFileSync } from 'node:fs';
import type { DihedralName, PdqHash } from '../../src/hashing/index.js';
import { vectorPath } from './paths.js';

/** One row of pdq/expected/{full-resolution,cpp-cli}-pipeline.csv. */
export interface ExpectedPdq {
  /** Path relative to pdq/. */
  file: string;
  hash: PdqHash;
  quality: number;
  hashedWidth: number;
  hashedHeight: number;
  channels: number;
  dihedral: Record<DihedralName, PdqHash>;
}

export function expectedPdq(csv: 'full-resolution-pipeline.csv' | 'cpp-cli-pipeline.csv'): ExpectedPdq[] {
  const [header, ...lines] = readFileSync(vectorPath(`pdq/expected/${csv}`), 'utf8')
    .trim()
    .split('\n');
  const names = (header ?? '').split(',');
  return lines.map((line) => {
    const cells = new Map(line.split(',').map((value, index) => [names[index] ?? '', value]));
    const text = (name: string): string => cells.get(name) ?? '';
    return {
      file: text('file'),
      hash: text('hash') as PdqHash,
      quality: Number(text('quality')),
      hashedWidth: Number(text('hashed_width')),
      hashedHeight: Number(text('hashed_height')),
      channels: Number(text('decoded_channels')),
      dihedral: Object.fromEntries(
        ['rotate90', 'rotate180', 'rotate270', 'flipx', 'flipy', 'flip_plus1', 'flip_minus1'].map((name) => [
          name,
          text(name),
        ]),
      ) as Record<DihedralName, PdqHash>,
    };
  });
}

/** A whitespace-separated matrix of floats from pdq/expected/intermediates, as float32. */
export function intermediateMatrix(name: string): Float32Array {
  const text = readFileSync(vectorPath(`pdq/expected/intermediates/${name}`), 'utf8');
  return Float32Array.from(text.trim().split(/\s+/).map(Number));
}

/** key=value lines of an intermediates summary file. */
export function intermediateSummary(name: string): Record<string, string> {
  const text = readFileSync(vectorPath(`pdq/expected/intermediates/${name}.summary.txt`), 'utf8');
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}
