// One query's neighbours as the index finds them, keeping only the nearest `limit`: a query near many entries
// (a bank of near-duplicates, a high threshold) then costs memory and sorting for the few it returns, not
// for every entry within the threshold.
import { compareNeighbours } from './pdq-index-brute-force.js';
import type { PdqNeighbour } from './pdq-index-segment.js';

export class NearestNeighbours {
  private found: PdqNeighbour[] = [];
  /** Neighbours farther than this cannot be among the nearest `limit` any more. */
  private farthest = Number.POSITIVE_INFINITY;

  /** `limit` is a whole number from 1, or infinity for every neighbour. */
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  add(entryId: number, distance: number): void {
    if (distance > this.farthest) return;
    this.found.push({ entryId, distance });
    // Sorting when twice the limit has piled up keeps the cost per neighbour at O(log limit), amortised.
    if (this.found.length >= 2 * this.limit) this.keepNearest();
  }

  /** The nearest `limit` neighbours, nearest first, then by entry id. */
  sorted(): PdqNeighbour[] {
    this.keepNearest();
    return this.found;
  }

  private keepNearest(): void {
    this.found.sort(compareNeighbours);
    if (this.found.length <= this.limit) return;
    this.found.length = this.limit;
    this.farthest = this.found[this.found.length - 1]?.distance ?? this.farthest;
  }
}
