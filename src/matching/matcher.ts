// The matcher answers "which bank entries does this content match?". PDQ hashes are looked up in an
// in-memory PdqIndex, loaded from the database at start and kept current by following bank revisions
// (so an entry added by any process is matchable within one refresh interval); MD5 and SHA-256 are exact
// lookups on the database's signal index. Entry metadata is read from the database only for the few
// entries that matched, so memory holds nothing but the hashes.
//
// Nothing here holds the event loop for long: changes and entries are read in pages with a yield between
// them, and the index folds its append area, and a reload builds a whole new index, in a worker thread
// while matching goes on against the old one.
import { matchingDefaults } from '../config/index.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { WardenError } from '../errors/index.js';
import { pdqHashToBytes } from '../hashing/index.js';
import type { DihedralName, PdqHash } from '../hashing/index.js';
import { readCounter } from '../store/index.js';
import type { Database, SignalType } from '../store/index.js';
import { getBankEntries, toBank, toBankEntry } from './banks.js';
import type { Bank, BankEntry, BankId } from './banks.js';
import { PdqIndex } from './pdq-index.js';

export interface MatchQuery {
  pdq?: PdqHash;
  /** PDQ quality of the query, when known (hashes given as text have none). */
  quality?: number;
  /** Dihedral variants of the query's PDQ hash, tried when `dihedral` is asked for. */
  dihedral?: Partial<Record<DihedralName, PdqHash>>;
  md5?: string;
  sha256?: string;
  /** A normalised URL (see normaliseUrl), looked up in the banks' URL entries. */
  url?: string;
}

export interface MatchOptions {
  /** Largest PDQ distance that counts as a match (default from configuration, normally 31). */
  threshold?: number;
  /** Only these banks (by name); default all enabled banks. */
  banks?: readonly string[];
  /** Also look up the query's dihedral variants (rotations and flips). */
  dihedral?: boolean;
}

export interface Match {
  bank: string;
  bankId: BankId;
  category: string;
  signalType: SignalType;
  /** The bank entry's signal, lowercase hex. */
  signal: string;
  distance: number;
  entryId: number;
  /** Which dihedral variant of the query matched, when it was not the original. */
  variant?: DihedralName;
  note: string;
  externalId: string;
}

/**
 * A match as Warden records it (reports, audit) and as the command line prints it: snake_case. What leaves
 * the server goes through visibleMatches.
 */
export interface MatchJson {
  bank: string;
  category: string;
  signal_type: SignalType;
  signal: string;
  distance: number;
  entry_id: number;
  variant?: DihedralName;
}

/** A match as a caller sees it: the bank entry's own signal only for those who may read the banks. */
export type VisibleMatchJson = Omit<MatchJson, 'signal'> & { signal?: string };

export function matchJson(match: Match): MatchJson {
  return {
    bank: match.bank,
    category: match.category,
    signal_type: match.signalType,
    signal: match.signal,
    distance: match.distance,
    entry_id: match.entryId,
    ...(match.variant === undefined ? {} : { variant: match.variant }),
  };
}

/**
 * What may leave the server of some matches, in every answer, view and webhook that holds them. Hash lists
 * of known abuse material are confidential by agreement with the hotlines that share them: an entry's own
 * signal goes only to those who may read the banks (who manage them); everyone else learns the bank, the
 * category, the entry id and the distance, which is what they need to act.
 */
export function visibleMatches(matches: readonly MatchJson[], mayReadBanks: boolean): VisibleMatchJson[] {
  return matches.map(({ signal, ...shown }) => (mayReadBanks ? { ...shown, signal } : shown));
}

export interface MatchResult {
  /** The nearest matches first, at most the matcher's `maxMatches`. */
  matches: Match[];
  /** The query's PDQ quality is below the trusted minimum: report, but do not act automatically. */
  lowQuality: boolean;
  /** More entries matched than `matches` holds. */
  truncated: boolean;
}

export interface MatcherOptions {
  defaultThreshold: number;
  /**
   * Largest PDQ threshold a query may ask for (configuration: WARDEN_MAX_PDQ_THRESHOLD). A threshold near
   * 128 matches every hash, so an unbounded one would let any caller page through the banks.
   */
  maxThreshold?: number;
  /** Most matches one query returns, the nearest (configuration: WARDEN_MAX_MATCHES). */
  maxMatches?: number;
  minQuality: number;
  /** Follow changes made by other processes every this many milliseconds; 0 disables the timer. */
  refreshMs: number;
  /** Called when a background refresh fails (the matcher keeps serving its last state). */
  onRefreshError?: (error: unknown) => void;
}

// Rows read per query: better-sqlite3 reads synchronously, and 10,000 rows take some 10-20 ms.
const pageSize = 10_000;
// Below this many entries, building the index on the event loop is quicker than starting a thread.
const backgroundBuildMin = 65_536;
const indexOptions = { foldInBackground: true };
const idsPerQuery = 500;
const singleQueryLimit = 16;

export class Matcher {
  private index: PdqIndex;
  private banks = new Map<BankId, Bank>();
  private revision: number;
  private lastChangeId = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly maxThreshold: number;
  private readonly maxMatches: number;

  private constructor(
    private readonly database: Database,
    private readonly options: MatcherOptions,
    loaded: { index: PdqIndex; revision: number; banks: Bank[] },
  ) {
    this.index = loaded.index;
    this.revision = loaded.revision;
    this.lastChangeId = Number.MAX_SAFE_INTEGER;
    for (const bank of loaded.banks) this.banks.set(bank.id, bank);
    this.maxThreshold = Math.min(options.maxThreshold ?? matchingDefaults.maxPdqThreshold, 256);
    this.maxMatches = options.maxMatches ?? matchingDefaults.maxMatches;
  }

  /** Loads every enabled PDQ entry into memory and, if asked, starts following changes. */
  static async open(database: Database, options: MatcherOptions): Promise<Matcher> {
    const matcher = new Matcher(database, options, await loadIndex(database));
    if (options.refreshMs > 0) {
      matcher.timer = setInterval(() => {
        matcher.refresh().catch((error: unknown) => options.onRefreshError?.(error));
      }, options.refreshMs);
      matcher.timer.unref();
    }
    return matcher;
  }

  /** Number of PDQ hashes in memory. */
  get indexSize(): number {
    return this.index.size;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Applies every bank change committed since the last refresh. Concurrent calls share one run. */
  refresh(): Promise<void> {
    this.refreshing ??= this.applyChanges().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async applyChanges(): Promise<void> {
    const bankRows = await this.database.db.selectFrom('banks').selectAll().execute();
    const banks = new Map(bankRows.map((row) => [row.id as BankId, toBank(row)]));
    if ([...this.banks.keys()].some((id) => !banks.has(id))) {
      // A deleted bank took its entries with it: rebuild rather than track every removal. Until the new
      // index is ready the old one answers, its matches in the deleted bank left out by bank.
      this.banks = banks;
      const loaded = await loadIndex(this.database);
      this.index = loaded.index;
      this.revision = loaded.revision;
      this.lastChangeId = Number.MAX_SAFE_INTEGER;
      this.banks = new Map(loaded.banks.map((bank) => [bank.id, bank]));
      return;
    }
    this.banks = banks;
    for (;;) {
      const changes = await this.nextChanges();
      for (const change of changes) {
        this.revision = Number(change.revision);
        this.lastChangeId = change.id;
        if (change.signal_type !== 'pdq') continue;
        if (change.enabled === 1) this.index.add(change.id, pdqHashToBytes(change.value as PdqHash));
        else this.index.remove(change.id);
      }
      if (changes.length < pageSize) return;
      await yieldToEventLoop();
    }
  }

  /**
   * The next page of changes after (revision, lastChangeId), in that order. Two queries, each one exact
   * seek on the (revision, id) index: a row-value or OR condition would make SQLite walk every entry of
   * the current revision, which after a large import is the whole bank, on every refresh.
   */
  private async nextChanges() {
    const columns = ['id', 'value', 'enabled', 'revision', 'signal_type'] as const;
    const rest = await this.database.db
      .selectFrom('bank_entries')
      .select(columns)
      .where('revision', '=', this.revision)
      .where('id', '>', this.lastChangeId)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (rest.length === pageSize) return rest;
    const later = await this.database.db
      .selectFrom('bank_entries')
      .select(columns)
      .where('revision', '>', this.revision)
      .orderBy('revision')
      .orderBy('id')
      .limit(pageSize - rest.length)
      .execute();
    return [...rest, ...later];
  }

  /** Matches one piece of content. */
  async match(query: MatchQuery, options: MatchOptions = {}): Promise<MatchResult> {
    const [result] = await this.matchBatch([query], options);
    if (result === undefined) throw new Error('matchBatch returned no result');
    return result;
  }

  /**
   * Matches many pieces of content at once; the PDQ lookups share one batched pass over the index. Each
   * answer holds at most `maxMatches` matches, the nearest, and says when there were more.
   */
  async matchBatch(queries: readonly MatchQuery[], options: MatchOptions = {}): Promise<MatchResult[]> {
    const { threshold, allowedBanks } = this.checkOptions(options);
    const probes = probesOf(queries, options.dihedral === true);
    // One more than an answer holds, so that a full answer shows whether there were more.
    const wanted = this.maxMatches + 1;
    const nearest = this.nearest(queries.length, probes, threshold, wanted);
    const entries = await this.entriesById(nearest.flatMap((found) => found.candidates));
    const exact = await this.exactMatches(queries);

    const results: MatchResult[] = [];
    for (const [index, query] of queries.entries()) {
      const found = nearest[index] ?? { candidates: [], complete: true };
      let matches = this.accept(found.candidates, entries, allowedBanks);
      if (matches.length < wanted && !found.complete) {
        // Entries of banks left out (disabled, or not asked for) were among the nearest: look further.
        const probesOfQuery = probes
          .filter((probe) => probe.query === index)
          .map((probe) => ({ ...probe, query: 0 }));
        const [all] = this.nearest(1, probesOfQuery, threshold, undefined);
        matches = await this.acceptInPages(all?.candidates ?? [], allowedBanks, wanted);
      }
      for (const entry of exact.get(index) ?? []) this.pushMatch(matches, entry, 0, allowedBanks);
      matches.sort((a, b) => a.distance - b.distance || a.entryId - b.entryId);
      results.push({
        matches: matches.slice(0, this.maxMatches),
        lowQuality: query.quality !== undefined && query.quality < this.options.minQuality,
        truncated: matches.length > this.maxMatches,
      });
    }
    return results;
  }

  /**
   * Per query, its nearest `limit` entries (all when undefined) over all its probes, each at the distance of
   * the probe that came closest; `complete` when no entry within the threshold was left out.
   */
  private nearest(
    queryCount: number,
    probes: readonly Probe[],
    threshold: number,
    limit: number | undefined,
  ): { candidates: Candidate[]; complete: boolean }[] {
    const options = limit === undefined ? {} : { limit };
    // The batched walk sorts every chunk's probes first, which pays off for many queries; a handful are
    // answered faster one by one.
    const neighbours =
      probes.length <= singleQueryLimit
        ? probes.map((probe) => this.index.query(probe.bytes, threshold, options))
        : this.index.queryBatch(concatenate(probes.map((probe) => probe.bytes)), threshold, options);
    const best = Array.from({ length: queryCount }, () => new Map<number, Candidate>());
    const complete = Array.from({ length: queryCount }, () => true);
    neighbours.forEach((list, probeIndex) => {
      const probe = probes[probeIndex];
      const found = best[probe?.query ?? -1];
      if (probe === undefined || found === undefined) return;
      if (list.length === limit) complete[probe.query] = false;
      for (const neighbour of list) {
        const previous = found.get(neighbour.entryId);
        if (previous === undefined || neighbour.distance < previous.distance) {
          found.set(neighbour.entryId, {
            ...neighbour,
            ...(probe.variant ? { variant: probe.variant } : {}),
          });
        }
      }
    });
    return best.map((found, query) => {
      const candidates = [...found.values()].sort((a, b) => a.distance - b.distance || a.entryId - b.entryId);
      // Each probe's nearest `limit` hold the query's nearest `limit`; the rest of the union is not needed.
      if (limit !== undefined && candidates.length > limit) {
        candidates.length = limit;
        complete[query] = false;
      }
      return { candidates, complete: complete[query] ?? true };
    });
  }

  /** The entries of the candidates, read in chunks. */
  private async entriesById(candidates: readonly Candidate[]): Promise<Map<number, BankEntry>> {
    const entryIds = [...new Set(candidates.map((candidate) => candidate.entryId))];
    const entries = new Map<number, BankEntry>();
    for (let start = 0; start < entryIds.length; start += idsPerQuery) {
      for (const entry of await getBankEntries(this.database, entryIds.slice(start, start + idsPerQuery))) {
        entries.set(entry.id, entry);
      }
    }
    return entries;
  }

  private accept(
    candidates: readonly Candidate[],
    entries: ReadonlyMap<number, BankEntry>,
    allowedBanks: Set<BankId> | undefined,
  ): Match[] {
    const matches: Match[] = [];
    for (const candidate of candidates) {
      const entry = entries.get(candidate.entryId);
      if (entry !== undefined)
        this.pushMatch(matches, entry, candidate.distance, allowedBanks, candidate.variant);
    }
    return matches;
  }

  /** The first `wanted` candidates that are matches, reading entries a chunk at a time, nearest first. */
  private async acceptInPages(
    candidates: readonly Candidate[],
    allowedBanks: Set<BankId> | undefined,
    wanted: number,
  ): Promise<Match[]> {
    const matches: Match[] = [];
    for (let start = 0; start < candidates.length && matches.length < wanted; start += idsPerQuery) {
      const page = candidates.slice(start, start + idsPerQuery);
      matches.push(...this.accept(page, await this.entriesById(page), allowedBanks));
    }
    return matches;
  }

  private pushMatch(
    matches: Match[],
    entry: BankEntry,
    distance: number,
    allowedBanks: Set<BankId> | undefined,
    variant?: DihedralName,
  ): void {
    const bank = this.banks.get(entry.bankId);
    if (bank === undefined || !bank.enabled || !entry.enabled) return;
    if (allowedBanks !== undefined && !allowedBanks.has(bank.id)) return;
    matches.push({
      bank: bank.name,
      bankId: bank.id,
      category: entry.category,
      // Lookups only ever reach hash and URL entries; text entries are the text domain's.
      signalType: entry.signalType as SignalType,
      signal: entry.signal,
      distance,
      entryId: entry.id,
      ...(variant === undefined ? {} : { variant }),
      note: entry.note,
      externalId: entry.externalId,
    });
  }

  /** Validates match options (threshold range, bank names) and resolves them. */
  checkOptions(options: MatchOptions): { threshold: number; allowedBanks: Set<BankId> | undefined } {
    const threshold = options.threshold ?? this.options.defaultThreshold;
    if (!Number.isInteger(threshold) || threshold < 0) {
      throw new WardenError(
        'invalid_argument',
        `The threshold must be a whole number from 0 to ${this.maxThreshold}; got ${threshold}.`,
      );
    }
    if (threshold > this.maxThreshold) {
      throw new WardenError(
        'invalid_argument',
        `The PDQ threshold ${threshold} is above this server's maximum of ${this.maxThreshold} ` +
          `(WARDEN_MAX_PDQ_THRESHOLD): ask for ${this.maxThreshold} or less. Distances beyond it match ` +
          'unrelated images and would hand out bank entries wholesale.',
        { maximum: this.maxThreshold },
      );
    }
    return { threshold, allowedBanks: this.allowedBanks(options.banks) };
  }

  private allowedBanks(names: readonly string[] | undefined): Set<BankId> | undefined {
    if (names === undefined || names.length === 0) return undefined;
    const byName = new Map([...this.banks.values()].map((bank) => [bank.name, bank.id]));
    return new Set(
      names.map((name) => {
        const id = byName.get(name);
        if (id === undefined) {
          throw new WardenError(
            'not_found',
            `No bank named "${name.slice(0, 80)}". List the banks with "warden bank list".`,
          );
        }
        return id;
      }),
    );
  }

  /** MD5, SHA-256 and URL lookups, straight from the database's (signal_type, value) index. */
  private async exactMatches(queries: readonly MatchQuery[]): Promise<Map<number, BankEntry[]>> {
    const wanted = new Map<string, number[]>();
    queries.forEach((query, index) => {
      for (const [type, value] of [
        ['md5', query.md5],
        ['sha256', query.sha256],
        ['url', query.url],
      ] as const) {
        if (value === undefined) continue;
        const key = `${type}:${value}`;
        wanted.set(key, [...(wanted.get(key) ?? []), index]);
      }
    });
    const found = new Map<number, BankEntry[]>();
    for (const type of ['md5', 'sha256', 'url'] as const) {
      const values = [...wanted.keys()]
        .filter((key) => key.startsWith(`${type}:`))
        .map((key) => key.slice(type.length + 1));
      for (let start = 0; start < values.length; start += idsPerQuery) {
        const rows = await this.database.db
          .selectFrom('bank_entries')
          .selectAll()
          .where('signal_type', '=', type)
          .where('value', 'in', values.slice(start, start + idsPerQuery))
          .where('enabled', '=', 1)
          .execute();
        for (const entry of rows.map(toBankEntry)) {
          for (const queryIndex of wanted.get(`${type}:${entry.signal}`) ?? []) {
            found.set(queryIndex, [...(found.get(queryIndex) ?? []), entry]);
          }
        }
      }
    }
    return found;
  }
}

interface Probe {
  query: number;
  variant?: DihedralName;
  bytes: Uint8Array;
}

interface Candidate {
  entryId: number;
  distance: number;
  variant?: DihedralName;
}

/** One PDQ probe per hash to try: each query's own and, if asked, its dihedral variants. */
function probesOf(queries: readonly MatchQuery[], dihedral: boolean): Probe[] {
  const probes: Probe[] = [];
  queries.forEach((query, index) => {
    if (query.pdq === undefined) return;
    probes.push({ query: index, bytes: pdqHashToBytes(query.pdq) });
    if (!dihedral) return;
    for (const [variant, hash] of Object.entries(query.dihedral ?? {})) {
      probes.push({ query: index, variant: variant as DihedralName, bytes: pdqHashToBytes(hash) });
    }
  });
  return probes;
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/** Reads the bank revision first, then every enabled PDQ entry, so no change in between is lost. */
async function loadIndex(database: Database): Promise<{ index: PdqIndex; revision: number; banks: Bank[] }> {
  const revision = (await readCounter(database.db, 'bank_revision')) ?? 0;
  const banks = (await database.db.selectFrom('banks').selectAll().execute()).map(toBank);
  let ids = new Float64Array(pageSize);
  let hashes = new Uint8Array(pageSize * 32);
  let count = 0;
  let afterId = 0;
  for (;;) {
    // Walk the table in primary-key order and filter here: an index on the filter columns would make
    // every page re-scan and re-sort all PDQ entries.
    const rows = await database.db
      .selectFrom('bank_entries')
      .select(['id', 'value', 'signal_type', 'enabled'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    if (count + rows.length > ids.length) {
      ({ ids, hashes } = grown(ids, hashes, count, Math.max(ids.length * 2, count + rows.length)));
    }
    for (const row of rows) {
      if (row.signal_type !== 'pdq' || row.enabled !== 1) continue;
      hashes.set(pdqHashToBytes(row.value as PdqHash), count * 32);
      ids[count++] = row.id;
    }
    afterId = rows[rows.length - 1]?.id ?? afterId;
    await yieldToEventLoop();
  }
  ids = ids.slice(0, count);
  hashes = hashes.slice(0, count * 32);
  const index =
    count < backgroundBuildMin
      ? PdqIndex.build(ids, hashes, indexOptions)
      : await PdqIndex.buildInBackground(ids, hashes, indexOptions);
  return { index, revision, banks };
}

function grown(ids: Float64Array, hashes: Uint8Array, count: number, capacity: number) {
  const moreIds = new Float64Array(capacity);
  moreIds.set(ids.subarray(0, count));
  const moreHashes = new Uint8Array(capacity * 32);
  moreHashes.set(hashes.subarray(0, count * 32));
  return { ids: moreIds, hashes: moreHashes };
}
