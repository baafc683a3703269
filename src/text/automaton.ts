// The multi-pattern matcher of the term engine: Aho–Corasick compiled into a deterministic automaton over
// typed arrays, so that scanning costs one table lookup per character and allocates nothing.
//
// - Alphabet: each code unit that occurs in a pattern gets a column of the transition table; every other
//   code unit shares column 0, whose entries all lead back to the root (no pattern can continue through a
//   character it does not contain). The table is states × columns, not states × 65,536.
// - Failure links are folded into the table when it is built, and entries hold the target's row offset
//   (state × columns) rather than its number, so the scan adds instead of multiplying.
// - States are numbered so that every state at which some pattern ends (itself or through a suffix) comes
//   after all the others: one comparison against a threshold tells the scan it must report, and the rest
//   of the time it stays in a three-load loop.
// - Outputs: each reporting state lists the patterns that end exactly there and links to the next shorter
//   suffix state that reports (the dictionary suffix link), so memory stays linear in the patterns even
//   for "a", "aa", "aaa", …; count() adds a precomputed total per state instead of walking the chain.
// - Large alphabets: a term list with thousands of CJK characters would make a dense table huge, most of
//   it copies of the root's row. So once the table outgrows the caches, a symbol gets a dense column only
//   if it labels at least one trie edge in 256 (letters of alphabetic scripts do; most CJK characters do
//   not), and a byte budget caps the table whatever the patterns. The other symbols ("rare") share one
//   column whose entries send the scan to a sparse step: binary search of the state's own edges, then its
//   failure link, as in textbook Aho–Corasick, down to the root, whose transitions are kept in a direct
//   table because it has the most edges and most walks end there. Only text in rare symbols pays for it.

/** Options for {@link TermAutomaton.build}. */
export interface TermAutomatonOptions {
  /**
   * Upper bound in bytes on the dense transition table (default 64 MiB). Beyond it, the least used
   * symbols are looked up in sparse edge lists instead.
   */
  maxTableBytes?: number;
}

const DEFAULT_MAX_TABLE_BYTES = 64 * 1024 * 1024;
/** Below this, every symbol gets a dense column: the table is small enough to sit in the caches. */
const COMPACT_TABLE_BYTES = 4 * 1024 * 1024;
/** Above it, a symbol gets a dense column only if it labels at least one trie edge in this many. */
const MIN_EDGE_SHARE = 256;
/** Table entry of the shared column of rare symbols: larger than any row offset, so it takes the slow path. */
const RARE = 0x7fff_ffff;

/** Everything the scan needs, computed by {@link compile}. */
interface Tables {
  lengths: Int32Array;
  stateCount: number;
  columns: number;
  classOf: Uint16Array;
  delta: Int32Array;
  firstReporting: number;
  outputStart: Int32Array;
  outputList: Int32Array;
  outputNext: Int32Array;
  outputTotal: Int32Array;
  rareStart: Int32Array;
  rareCode: Uint16Array;
  rareTarget: Int32Array;
  failure: Int32Array;
  rootRare: Int32Array;
}

export class TermAutomaton {
  readonly patternCount: number;
  /** Number of states (trie nodes, the root included). */
  readonly stateCount: number;
  /** Columns of the transition table: the absent-character column, dense symbols, and the rare column if any. */
  readonly classCount: number;
  /** Memory held by the tables, in bytes. */
  readonly byteSize: number;

  private readonly lengths: Int32Array;
  /** Code unit → column: 0 for code units in no pattern, classCount - 1 for rare symbols when there are any. */
  private readonly classOf: Uint16Array;
  /** delta[state × classCount + column] = next state × classCount, or RARE. */
  private readonly delta: Int32Array;
  /** Row offset of the first reporting state: every offset at or past it reports. */
  private readonly threshold: number;
  private readonly firstReporting: number;
  // Indexed by reporting ordinal (state - firstReporting):
  /** Patterns ending exactly at the state: outputList[outputStart[o] .. outputStart[o + 1]). */
  private readonly outputStart: Int32Array;
  private readonly outputList: Int32Array;
  /** Ordinal of the next reporting state on the suffix chain, or -1. */
  private readonly outputNext: Int32Array;
  /** Occurrences reported at the state, its suffix chain included. */
  private readonly outputTotal: Int32Array;
  // Sparse edges on rare symbols, by state: rareCode/rareTarget[rareStart[s] .. rareStart[s + 1]), codes ascending.
  private readonly rareStart: Int32Array;
  private readonly rareCode: Uint16Array;
  private readonly rareTarget: Int32Array;
  /** Failure link of each state; only kept when there are rare symbols. */
  private readonly failure: Int32Array;
  /** Code unit → row offset of the root's transition on it, for rare symbols (empty when there are none). */
  private readonly rootRare: Int32Array;

  private constructor(tables: Tables) {
    this.lengths = tables.lengths;
    this.patternCount = tables.lengths.length;
    this.stateCount = tables.stateCount;
    this.classCount = tables.columns;
    this.classOf = tables.classOf;
    this.delta = tables.delta;
    this.firstReporting = tables.firstReporting;
    this.threshold = tables.firstReporting * tables.columns;
    this.outputStart = tables.outputStart;
    this.outputList = tables.outputList;
    this.outputNext = tables.outputNext;
    this.outputTotal = tables.outputTotal;
    this.rareStart = tables.rareStart;
    this.rareCode = tables.rareCode;
    this.rareTarget = tables.rareTarget;
    this.failure = tables.failure;
    this.rootRare = tables.rootRare;
    let bytes = 0;
    for (const array of Object.values(tables)) {
      if (ArrayBuffer.isView(array)) bytes += array.byteLength;
    }
    this.byteSize = bytes;
  }

  /**
   * Builds from pattern strings (already normalised skeletons; each non-empty). Pattern i is reported as
   * i; duplicate patterns are allowed and each is reported.
   */
  static build(patterns: readonly string[], options: TermAutomatonOptions = {}): TermAutomaton {
    return new TermAutomaton(compile(patterns, options.maxTableBytes ?? DEFAULT_MAX_TABLE_BYTES));
  }

  /** Length in UTF-16 code units of pattern i. */
  patternLength(index: number): number {
    return this.lengths[index] ?? 0;
  }

  /**
   * Scans codes[0..length) and calls onMatch(pattern, end) for every occurrence (end exclusive; the
   * start is end - patternLength(pattern)). Overlapping occurrences and patterns that are suffixes of
   * others are all reported; at one end, longer patterns come first.
   */
  scan(codes: Uint16Array, length: number, onMatch: (pattern: number, end: number) => void): void {
    const { classOf, delta, threshold, classCount, firstReporting } = this;
    const { outputStart, outputList, outputNext } = this;
    const stop = Math.min(length, codes.length);
    let state = 0;
    for (let index = 0; index < stop; index++) {
      let next = delta[state + classOf[codes[index]!]!]!;
      if (next >= threshold) {
        if (next === RARE) next = this.rareStep(state, codes[index]!);
        if (next >= threshold) {
          for (let output = ((next / classCount) | 0) - firstReporting; output !== -1;) {
            const last = outputStart[output + 1]!;
            for (let at = outputStart[output]!; at < last; at++) onMatch(outputList[at]!, index + 1);
            output = outputNext[output]!;
          }
        }
      }
      state = next;
    }
  }

  /** Number of occurrences scan() would report, without the callbacks. */
  count(codes: Uint16Array, length: number): number {
    const { classOf, delta, threshold, classCount, firstReporting, outputTotal } = this;
    const stop = Math.min(length, codes.length);
    let state = 0;
    let found = 0;
    for (let index = 0; index < stop; index++) {
      let next = delta[state + classOf[codes[index]!]!]!;
      if (next >= threshold) {
        if (next === RARE) next = this.rareStep(state, codes[index]!);
        if (next >= threshold) found += outputTotal[((next / classCount) | 0) - firstReporting]!;
      }
      state = next;
    }
    return found;
  }

  /** The transition from row offset `from` on a rare symbol, by the sparse edges and failure links. */
  private rareStep(from: number, code: number): number {
    const { rareStart, rareCode, rareTarget, failure } = this;
    for (let state = (from / this.classCount) | 0; state !== 0; state = failure[state]!) {
      let low = rareStart[state]!;
      let high = rareStart[state + 1]!;
      while (low < high) {
        const middle = (low + high) >>> 1;
        const found = rareCode[middle]!;
        if (found === code) return rareTarget[middle]! * this.classCount;
        if (found < code) low = middle + 1;
        else high = middle;
      }
    }
    return this.rootRare[code]!;
  }
}

/** Builds the tables: a trie, failure links, the numbering, the alphabet, the folded table, the outputs. */
function compile(patterns: readonly string[], maxTableBytes: number): Tables {
  // The trie, with edges in a map while its size is unknown. A state's parent, incoming code unit and
  // depth are all the later steps need of it; at most one state per pattern character, plus the root.
  let capacity = 1;
  for (const pattern of patterns) {
    if (pattern.length === 0) throw new RangeError('TermAutomaton: a pattern is empty.');
    capacity += pattern.length;
  }
  const parent = new Int32Array(capacity);
  const incoming = new Uint16Array(capacity);
  const depth = new Int32Array(capacity);
  const ownCount = new Int32Array(capacity);
  const terminal = new Int32Array(patterns.length);
  const edgesPerCode = new Int32Array(65536);
  const edges = new Map<number, number>(); // state × 65536 + code unit → child
  let states = 1;
  patterns.forEach((pattern, patternIndex) => {
    let state = 0;
    for (let index = 0; index < pattern.length; index++) {
      const code = pattern.charCodeAt(index);
      const key = state * 65536 + code;
      let child = edges.get(key);
      if (child === undefined) {
        child = states++;
        edges.set(key, child);
        parent[child] = state;
        incoming[child] = code;
        depth[child] = index + 1;
        edgesPerCode[code]!++;
      }
      state = child;
    }
    terminal[patternIndex] = state;
    ownCount[state]!++;
  });

  // Breadth-first order (by depth), so a state's failure target is always settled before the state.
  const order = countingSortByDepth(depth, states);

  // Failure links and dictionary suffix links (nearest proper suffix state where a pattern ends).
  const failure = new Int32Array(states);
  const suffixOutput = new Int32Array(states).fill(-1);
  for (let position = 1; position < states; position++) {
    const state = order[position]!;
    const code = incoming[state]!;
    let fallback = 0;
    if (depth[state]! > 1) {
      for (let candidate = failure[parent[state]!]!; ; candidate = failure[candidate]!) {
        const child = edges.get(candidate * 65536 + code);
        if (child !== undefined) {
          fallback = child;
          break;
        }
        if (candidate === 0) break;
      }
    }
    failure[state] = fallback;
    suffixOutput[state] = ownCount[fallback]! > 0 ? fallback : suffixOutput[fallback]!;
  }

  // Numbering: states that report nothing first, in breadth-first order (shallow rows, the ones most
  // visited, sit together), then the reporting states.
  const renumber = new Int32Array(states);
  let next = 0;
  let firstReporting = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let position = 0; position < states; position++) {
      const state = order[position]!;
      const reports = ownCount[state]! > 0 || suffixOutput[state] !== -1;
      if (reports === (pass === 1)) renumber[state] = next++;
    }
    if (pass === 0) firstReporting = next;
  }

  // The alphabet: symbols by the number of trie edges they label, most first, and how many of them get
  // dense columns.
  const symbols: number[] = [];
  for (let code = 0; code < 65536; code++) if (edgesPerCode[code]! > 0) symbols.push(code);
  symbols.sort((a, b) => edgesPerCode[b]! - edgesPerCode[a]! || a - b);
  const entries = (dense: number): number => states * (1 + dense + (dense < symbols.length ? 1 : 0));
  let dense = symbols.length;
  if (entries(dense) * Int32Array.BYTES_PER_ELEMENT > COMPACT_TABLE_BYTES) {
    // A column costs four bytes per state. For a symbol on very few edges (most characters of a CJK term
    // list) it would hold little but copies of the root's row, and in a table too large for the caches
    // a sparse step is the faster of the two anyway.
    while (dense > 0 && edgesPerCode[symbols[dense - 1]!]! * MIN_EDGE_SHARE < states) dense--;
  }
  const budget = Math.floor(maxTableBytes / Int32Array.BYTES_PER_ELEMENT);
  if (entries(dense) > budget) dense = Math.max(0, Math.min(dense, Math.floor(budget / states) - 2));
  const hasRare = dense < symbols.length;
  const columns = 1 + dense + (hasRare ? 1 : 0);
  if (states * columns >= RARE) throw new RangeError('TermAutomaton: too many patterns for one automaton.');
  const classOf = new Uint16Array(65536);
  symbols.forEach((code, rank) => {
    classOf[code] = rank < dense ? rank + 1 : columns - 1;
  });

  // The table: trie edges first (no edge leads to the root, so 0 means "none yet"), then every missing
  // entry copied from the failure state's row, which breadth-first order has already completed.
  const delta = new Int32Array(states * columns);
  let rareEdges = 0;
  for (let state = 1; state < states; state++) {
    const column = classOf[incoming[state]!]!;
    if (hasRare && column === columns - 1) rareEdges++;
    else delta[renumber[parent[state]!]! * columns + column] = renumber[state]! * columns;
  }
  for (let position = 0; position < states; position++) {
    const state = order[position]!;
    const row = renumber[state]! * columns;
    if (hasRare) delta[row + columns - 1] = RARE;
    if (position === 0) continue;
    const fallbackRow = renumber[failure[state]!]! * columns;
    for (let column = 1; column <= dense; column++) {
      if (delta[row + column] === 0) delta[row + column] = delta[fallbackRow + column]!;
    }
  }

  // Sparse edges on rare symbols, grouped by (renumbered) source state, codes ascending; those of the
  // root also in a direct table.
  const rootRare = new Int32Array(hasRare ? 65536 : 0);
  const rareStart = new Int32Array(hasRare ? states + 1 : 0);
  const rareCode = new Uint16Array(rareEdges);
  const rareTarget = new Int32Array(rareEdges);
  if (hasRare) {
    const children = new Int32Array(rareEdges);
    let filled = 0;
    for (let state = 1; state < states; state++) {
      if (classOf[incoming[state]!] === columns - 1) children[filled++] = state;
    }
    children.sort((a, b) => renumber[parent[a]!]! - renumber[parent[b]!]! || incoming[a]! - incoming[b]!);
    children.forEach((child, at) => {
      rareStart[renumber[parent[child]!]! + 1]!++;
      rareCode[at] = incoming[child]!;
      rareTarget[at] = renumber[child]!;
      if (parent[child] === 0) rootRare[incoming[child]!] = renumber[child]! * columns;
    });
    for (let state = 0; state < states; state++) rareStart[state + 1]! += rareStart[state]!;
  }
  const renumberedFailure = new Int32Array(hasRare ? states : 0);
  if (hasRare) {
    for (let state = 0; state < states; state++) {
      renumberedFailure[renumber[state]!] = renumber[failure[state]!]!;
    }
  }

  // Outputs of the reporting states, by ordinal (renumbered state - firstReporting).
  const reporting = states - firstReporting;
  const outputStart = new Int32Array(reporting + 1);
  const outputNext = new Int32Array(reporting).fill(-1);
  const outputTotal = new Int32Array(reporting);
  for (let position = 0; position < states; position++) {
    const state = order[position]!;
    const ordinal = renumber[state]! - firstReporting;
    if (ordinal < 0) continue;
    outputStart[ordinal + 1] = ownCount[state]!;
    const suffix = suffixOutput[state]!;
    if (suffix !== -1) {
      const suffixOrdinal = renumber[suffix]! - firstReporting;
      outputNext[ordinal] = suffixOrdinal;
      // Shallower, so already totalled.
      outputTotal[ordinal] = outputTotal[suffixOrdinal]!;
    }
    outputTotal[ordinal]! += ownCount[state]!;
  }
  for (let ordinal = 0; ordinal < reporting; ordinal++) outputStart[ordinal + 1]! += outputStart[ordinal]!;
  const outputList = new Int32Array(patterns.length);
  const filled = outputStart.slice(0, reporting);
  for (let patternIndex = 0; patternIndex < patterns.length; patternIndex++) {
    const ordinal = renumber[terminal[patternIndex]!]! - firstReporting;
    outputList[filled[ordinal]!++] = patternIndex;
  }

  return {
    lengths: Int32Array.from(patterns, (pattern) => pattern.length),
    stateCount: states,
    columns,
    classOf,
    delta,
    firstReporting,
    outputStart,
    outputList,
    outputNext,
    outputTotal,
    rareStart,
    rareCode,
    rareTarget,
    failure: renumberedFailure,
    rootRare,
  };
}

/** States 0..count) ordered by depth (the root first); stable, so siblings keep their creation order. */
function countingSortByDepth(depth: Int32Array, count: number): Int32Array {
  let deepest = 0;
  for (let state = 0; state < count; state++) deepest = Math.max(deepest, depth[state]!);
  const start = new Int32Array(deepest + 2);
  for (let state = 0; state < count; state++) start[depth[state]! + 1]!++;
  for (let level = 0; level <= deepest; level++) start[level + 1]! += start[level]!;
  const order = new Int32Array(count);
  for (let state = 0; state < count; state++) order[start[depth[state]!]!++] = state;
  return order;
}
