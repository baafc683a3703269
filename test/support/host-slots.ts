// Records the starts the crawler reserves for each host (its politeness schedule in host_slots), for
// tests that check politeness: they read it off this schedule rather than off arrival times at a test
// server, which a busy machine bunches up. Used from a vi.mock of src/crawl/politeness.js, so it imports
// nothing itself.

type ReserveSlot = (host: string, delayMs: number) => Promise<number>;

/** The politeness module with databaseSlots wrapped to add each reserved start to `starts`, by host. */
export function recordReservedStarts<Module extends { databaseSlots: (database: never) => ReserveSlot }>(
  original: Module,
  starts: Map<string, number[]>,
): Module {
  return {
    ...original,
    databaseSlots: (database: never): ReserveSlot => {
      const reserve = original.databaseSlots(database);
      return async (host, delayMs) => {
        const start = await reserve(host, delayMs);
        starts.set(host, [...(starts.get(host) ?? []), start]);
        return start;
      };
    },
  };
}

/** A host's schedule in brief: how many starts, and the gap between the closest two. */
export function spacedStarts(starts: number[] | undefined): { count: number; closest: number } {
  const sorted = [...(starts ?? [])].sort((a, b) => a - b);
  let closest = Number.POSITIVE_INFINITY;
  for (let index = 1; index < sorted.length; index += 1) {
    closest = Math.min(closest, (sorted[index] ?? 0) - (sorted[index - 1] ?? 0));
  }
  return { count: sorted.length, closest };
}
