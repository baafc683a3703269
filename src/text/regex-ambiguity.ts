// Finds where a pattern can match the same text in more than one way inside a repeat: the cause of
// exponential backtracking. The pattern becomes its position automaton (one state per character atom;
// an edge for each way one atom can follow another, counted, so that "(a+)+" has two edges from "a" to
// itself), with every counted repeat of two or more treated as unbounded, which can only add ways to
// match and so keeps the verdict on the safe side. Look-arounds and assertions are treated as matching
// nothing, which also only adds ways. Two questions are then asked:
//   - overlap: can two alternatives of a repeated choice match the same text, or one the beginning of
//     the other? This is stricter than necessary, by design, and gives the clearest reason;
//   - loop: can some state return to itself along two different paths reading the same text? That is
//     the exact condition for exponential ambiguity, checked on pairs of states within each cycle.
// Both have a work budget; a pattern that exhausts it is reported as too complex rather than passed.
import { children, intersectSets, sampleOf, setsIntersect } from './regex-syntax.js';
import type { CharSet, RegexNode } from './regex-syntax.js';

export type Ambiguity =
  /** `second` undefined: `first` can match empty text. */
  | {
      kind: 'overlap';
      repeat: RegexNode;
      alternation: RegexNode;
      first: RegexNode;
      second?: RegexNode;
      witness?: string;
    }
  | { kind: 'loop'; repeat: RegexNode }
  | { kind: 'too-complex' };

/** The first ambiguity found in a pattern that has no nullable repeat bodies, or undefined. */
export function findAmbiguity(root: RegexNode): Ambiguity | undefined {
  try {
    const automaton = new PositionAutomaton(root);
    return automaton.findOverlap() ?? automaton.findLoop();
  } catch (error) {
    if (error instanceof Budget) return { kind: 'too-complex' };
    throw error;
  }
}

type Counts = Map<number, number>;

interface Fragment {
  /** Positions that can come first, with how many ways lead there; likewise last; ways to match empty. */
  first: Counts;
  last: Counts;
  empty: number;
}

interface Edge {
  from: number;
  to: number;
  count: number;
  /** Pre-order index of the node that made the edge (a sequence or a repeat). */
  owner: number;
}

const noFragment: Fragment = { first: new Map(), last: new Map(), empty: 1 };
// Work limits: a few tens of milliseconds at most, far beyond what rules of ordinary size need.
const edgeBudget = 500_000;
const overlapBudget = 300_000;
const loopBudget = 2_000_000;

class Budget extends Error {}

// Only "one way" or "more than one" matters, so counts stop at 2.
const cap = (count: number) => Math.min(count, 2);

function scaled(counts: Counts, factor: number): Counts {
  const result: Counts = new Map();
  if (factor > 0) for (const [position, count] of counts) result.set(position, cap(count * factor));
  return result;
}

function summed(a: Counts, b: Counts): Counts {
  const result = new Map(a);
  for (const [position, count] of b) result.set(position, cap((result.get(position) ?? 0) + count));
  return result;
}

class PositionAutomaton {
  private readonly sets: CharSet[] = [];
  private readonly edges: Edge[] = [];
  private readonly edgesByOwner = new Map<number, Edge[]>();
  private readonly within = new Map<RegexNode, Map<number, number[]>>();
  private readonly fragments = new Map<RegexNode, Fragment>();
  private readonly order = new Map<RegexNode, { index: number; last: number }>();
  /** Nodes by pre-order index. */
  private readonly nodes: RegexNode[] = [];
  private counter = 0;
  private overlapWork = 0;

  constructor(private readonly root: RegexNode) {
    this.build(root);
  }

  private build(node: RegexNode): Fragment {
    const index = this.counter;
    this.counter += 1;
    this.nodes[index] = node;
    const fragment = this.fragmentOf(node, index);
    this.order.set(node, { index, last: this.counter - 1 });
    this.fragments.set(node, fragment);
    return fragment;
  }

  private fragmentOf(node: RegexNode, index: number): Fragment {
    switch (node.kind) {
      case 'chars': {
        const position = this.sets.length;
        this.sets.push(node.set);
        return { first: new Map([[position, 1]]), last: new Map([[position, 1]]), empty: 0 };
      }
      case 'sequence': {
        let fragment: Fragment = noFragment;
        for (const item of node.items) {
          const next = this.build(item);
          this.connect(fragment.last, next.first, index);
          fragment = {
            first: summed(fragment.first, scaled(next.first, fragment.empty)),
            last: summed(next.last, scaled(fragment.last, next.empty)),
            empty: cap(fragment.empty * next.empty),
          };
        }
        return fragment;
      }
      case 'alternation': {
        let fragment: Fragment = { first: new Map(), last: new Map(), empty: 0 };
        for (const branch of node.branches) {
          const next = this.build(branch);
          fragment = {
            first: summed(fragment.first, next.first),
            last: summed(fragment.last, next.last),
            empty: cap(fragment.empty + next.empty),
          };
        }
        return fragment;
      }
      case 'repeat': {
        const body = this.build(node.body);
        if (node.max === 0) return noFragment;
        if (node.max === 1) return { ...body, empty: cap(body.empty + (node.min === 0 ? 1 : 0)) };
        this.connect(body.last, body.first, index);
        return { ...body, empty: node.min === 0 ? 1 : body.empty };
      }
      case 'lookaround':
        // Its own positions and edges, unconnected to the rest: checked on their own.
        this.build(node.body);
        return noFragment;
      case 'assertion':
      case 'backreference':
        return noFragment;
    }
  }

  private connect(from: Counts, to: Counts, owner: number): void {
    let owned = this.edgesByOwner.get(owner);
    for (const [source, sourceCount] of from) {
      for (const [target, targetCount] of to) {
        if (this.edges.length >= edgeBudget) throw new Budget();
        const edge = { from: source, to: target, count: cap(sourceCount * targetCount), owner };
        this.edges.push(edge);
        if (owned === undefined) this.edgesByOwner.set(owner, (owned = []));
        owned.push(edge);
      }
    }
  }

  /** Every alternation under a repeat of two or more, checked pairwise, in pattern order. */
  findOverlap(): Ambiguity | undefined {
    const pending: { node: RegexNode; repeat: RegexNode | undefined }[] = [
      { node: this.root, repeat: undefined },
    ];
    while (pending.length > 0) {
      const { node, repeat } = pending.shift() ?? { node: this.root, repeat: undefined };
      if (node.kind === 'alternation' && repeat !== undefined) {
        for (let i = 0; i < node.branches.length; i += 1) {
          for (let j = i + 1; j < node.branches.length; j += 1) {
            const found = this.overlap(repeat, node, node.branches[i], node.branches[j]);
            if (found !== undefined) return found;
          }
        }
      }
      const inner =
        node.kind === 'lookaround' ? undefined : node.kind === 'repeat' && node.max >= 2 ? node : repeat;
      for (const child of children(node)) pending.push({ node: child, repeat: inner });
    }
    return undefined;
  }

  private overlap(
    repeat: RegexNode,
    alternation: RegexNode,
    first?: RegexNode,
    second?: RegexNode,
  ): Ambiguity | undefined {
    const a = first === undefined ? undefined : this.fragments.get(first);
    const b = second === undefined ? undefined : this.fragments.get(second);
    if (first === undefined || second === undefined || a === undefined || b === undefined) return undefined;
    if (a.empty > 0) return { kind: 'overlap', repeat, alternation, first };
    if (b.empty > 0) return { kind: 'overlap', repeat, alternation, first: second };
    // Most alternatives begin differently: settle those without any search.
    let meet = false;
    for (const p of a.first.keys()) {
      for (const q of b.first.keys()) meet ||= setsIntersect(this.sets[p] ?? [], this.sets[q] ?? []);
    }
    if (!meet) return undefined;
    const nextA = this.successorsWithin(first);
    const nextB = this.successorsWithin(second);
    const width = this.sets.length;
    // Breadth-first over pairs of positions reading the same characters, remembering how we got there.
    const came = new Map<number, { from: number; char: string }>();
    const queue: number[] = [];
    const enter = (p: number, q: number, from: number) => {
      const key = p * width + q;
      if (came.has(key) || !setsIntersect(this.sets[p] ?? [], this.sets[q] ?? [])) return;
      const common = intersectSets(this.sets[p] ?? [], this.sets[q] ?? []);
      came.set(key, { from, char: sampleOf(common) ?? '?' });
      queue.push(key);
    };
    for (const p of a.first.keys()) for (const q of b.first.keys()) enter(p, q, -1);
    for (let head = 0; head < queue.length; head += 1) {
      this.overlapWork += 1;
      if (this.overlapWork > overlapBudget) throw new Budget();
      const key = queue[head] ?? 0;
      const p = Math.floor(key / width);
      const q = key % width;
      if (a.last.has(p) || b.last.has(q)) {
        let witness = '';
        for (let at = key; at >= 0;) {
          const step = came.get(at);
          witness = (step?.char ?? '') + witness;
          at = step?.from ?? -1;
        }
        return { kind: 'overlap', repeat, alternation, first, second, witness };
      }
      for (const p2 of nextA.get(p) ?? []) for (const q2 of nextB.get(q) ?? []) enter(p2, q2, key);
    }
    return undefined;
  }

  /** Edges made by the node or its descendants: the ways to move on inside it. Cached per node. */
  private successorsWithin(node: RegexNode): Map<number, number[]> {
    const cached = this.within.get(node);
    if (cached !== undefined) return cached;
    const next = new Map<number, number[]>();
    const range = this.order.get(node);
    for (let owner = range?.index ?? 0; range !== undefined && owner <= range.last; owner += 1) {
      for (const edge of this.edgesByOwner.get(owner) ?? []) {
        const list = next.get(edge.from);
        if (list === undefined) next.set(edge.from, [edge.to]);
        else list.push(edge.to);
      }
    }
    this.within.set(node, next);
    return next;
  }

  /**
   * A state with two different loops on the same text: exponential ambiguity. Within a cycle, that
   * happens exactly when there are two ways from one position to the next (parallel edges), or when
   * two different successors of one position, reading the same characters, can meet again: the walk
   * from the fork back round the cycle then closes two loops. Any meeting will do, because positions
   * of one cycle all lead to each other along a path both walks can take together.
   */
  findLoop(): Ambiguity | undefined {
    const width = this.sets.length;
    const live = (position: number) => (this.sets[position]?.length ?? 0) > 0;
    const ways = new Map<number, number>();
    const next: number[][] = Array.from({ length: width }, () => []);
    for (const edge of this.edges) {
      if (!live(edge.from) || !live(edge.to)) continue;
      const key = edge.from * width + edge.to;
      const before = ways.get(key);
      if (before === undefined) next[edge.from]?.push(edge.to);
      ways.set(key, cap((before ?? 0) + edge.count));
    }
    const positions = Array.from({ length: width }, (_, position) => position).filter(live);
    let work = 0;
    const spend = (amount: number) => {
      work += amount;
      if (work > loopBudget) throw new Budget();
    };
    for (const component of stronglyConnected(positions, (position) => next[position] ?? [])) {
      const members = new Set(component);
      const inside = component.map((position) =>
        (next[position] ?? []).filter((target) => members.has(target)),
      );
      if (inside.every((targets) => targets.length === 0)) continue;
      const within = new Map(component.map((position, index) => [position, inside[index] ?? []]));
      const found = (): Ambiguity => ({ kind: 'loop', repeat: this.repeatAround(component) });
      if (
        component.some((position) =>
          (within.get(position) ?? []).some((to) => (ways.get(position * width + to) ?? 0) > 1),
        )
      ) {
        return found();
      }
      // Which positions of the cycle can read the same character, worked out once.
      const local = new Int32Array(width);
      component.forEach((position, index) => (local[position] = index));
      const size = component.length;
      spend((size * size) / 2);
      const compatible = new Uint8Array(size * size);
      for (let i = 0; i < size; i += 1) {
        for (let j = i; j < size; j += 1) {
          const common = setsIntersect(
            this.sets[component[i] ?? 0] ?? [],
            this.sets[component[j] ?? 0] ?? [],
          );
          compatible[i * size + j] = compatible[j * size + i] = common ? 1 : 0;
        }
      }
      const sameChar = (a: number, b: number) => compatible[(local[a] ?? 0) * size + (local[b] ?? 0)] === 1;
      // Forks: pairs of different successors of one position (positions often share a list: once each).
      const pending: number[] = [];
      const seen = new Set<number>();
      const push = (a: number, b: number) => {
        const key = Math.min(a, b) * width + Math.max(a, b);
        if (!seen.has(key)) {
          seen.add(key);
          pending.push(key);
        }
      };
      const lists = new Set<string>();
      for (const targets of inside) {
        if (targets.length < 2 || lists.has(targets.join())) continue;
        lists.add(targets.join());
        spend(targets.length * targets.length);
        for (let i = 0; i < targets.length; i += 1) {
          for (let j = i + 1; j < targets.length; j += 1) {
            const a = targets[i] ?? 0;
            const b = targets[j] ?? 0;
            if (sameChar(a, b)) push(a, b);
          }
        }
      }
      // Walk both sides of each fork together, on the same characters, until they meet.
      for (let head = 0; head < pending.length; head += 1) {
        const key = pending[head] ?? 0;
        const fromA = within.get(Math.floor(key / width)) ?? [];
        const fromB = within.get(key % width) ?? [];
        spend(fromA.length * fromB.length);
        for (const a of fromA) {
          for (const b of fromB) {
            if (!sameChar(a, b)) continue;
            if (a === b) return found();
            push(a, b);
          }
        }
      }
    }
    return undefined;
  }

  /**
   * The repeat to name in a message: the outermost repeat whose loop joins positions of the component
   * (it is the one whose iterations can divide the text in several ways).
   */
  private repeatAround(component: readonly number[]): RegexNode {
    const members = new Set(component);
    let chosen: { node: RegexNode; index: number } | undefined;
    for (const edge of this.edges) {
      if (!members.has(edge.from) || !members.has(edge.to)) continue;
      const owner = this.nodes[edge.owner];
      if (owner?.kind === 'repeat' && (chosen === undefined || edge.owner < chosen.index)) {
        chosen = { node: owner, index: edge.owner };
      }
    }
    return chosen?.node ?? this.root;
  }
}

/** Tarjan's strongly connected components of the graph reachable from `starts`, without recursion. */
function stronglyConnected(
  starts: readonly number[],
  successors: (node: number) => readonly number[],
): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const components: number[][] = [];
  let counter = 0;
  for (const start of starts) {
    if (index.has(start)) continue;
    const frames: { node: number; next: readonly number[]; at: number }[] = [];
    const open = (node: number) => {
      index.set(node, counter);
      low.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, next: successors(node), at: 0 });
    };
    open(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame === undefined) break;
      if (frame.at < frame.next.length) {
        const target = frame.next[frame.at] ?? 0;
        frame.at += 1;
        if (!index.has(target)) open(target);
        else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: number[] = [];
        let member: number | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}
