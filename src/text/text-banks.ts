// The text banks in force: every enabled term and regex entry of every enabled bank, compiled into one
// TextEngine. The engine is rebuilt when the bank revision moves (any change to any bank, in any
// process, takes a new revision) and swapped in whole, so a check never sees half a list. Checks are
// synchronous and allocate almost nothing: fast enough to run on every search and message.
import type { Config } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import { TextEngine } from './engine.js';
import type { TextMatch, TextRule } from './engine.js';

export type TextMode = 'search' | 'message';
export type TextVerdict = 'allow' | 'review' | 'block';

/** What a search engine shows instead of results for a blocked query, per category (`*` for any). */
export interface Deterrence {
  message: string;
  help_url: string;
}

export interface TextPolicy {
  /** A match of at least this severity blocks; lesser matches are for review. */
  blockSeverity: number;
  deterrence: Record<string, Deterrence>;
}

/** The policy from configuration: WARDEN_TEXT_BLOCK_SEVERITY and WARDEN_TEXT_DETERRENCE. */
export function textPolicy(config: Pick<Config, 'textBlockSeverity' | 'textDeterrence'>): TextPolicy {
  return { blockSeverity: config.textBlockSeverity, deterrence: config.textDeterrence };
}

export interface TextCheck {
  verdict: TextVerdict;
  matches: TextMatch[];
  /** In search mode, for a blocked query: what to show the person instead of results. */
  deterrence?: Deterrence;
}

export interface TextBanksOptions {
  /** How often to look for bank changes; 0 only on refresh(). */
  refreshMs: number;
  onRefreshError?: (error: unknown) => void;
  /** A stored regular-expression rule that checkRegexRule now refuses: it is left out of the rules in force. */
  onRuleRefused?: (rule: TextRule, reason: string) => void;
}

/** Longest text checked at once; longer messages are refused rather than silently cut. */
export const maxTextLength = 100_000;

export class TextBanks {
  private engine: TextEngine;
  private revision: number;
  private bankNames: Set<string>;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  private constructor(
    private readonly source: TextRuleSource,
    private readonly options: TextBanksOptions,
    loaded: { engine: TextEngine; revision: number; banks: Set<string> },
  ) {
    this.engine = loaded.engine;
    this.revision = loaded.revision;
    this.bankNames = loaded.banks;
    this.reportRefused();
  }

  static async open(source: TextRuleSource, options: TextBanksOptions): Promise<TextBanks> {
    const banks = new TextBanks(source, options, await load(source));
    if (options.refreshMs > 0) {
      banks.timer = setInterval(() => {
        banks.refresh().catch((error: unknown) => options.onRefreshError?.(error));
      }, options.refreshMs);
      banks.timer.unref();
    }
    return banks;
  }

  /** Rebuilds the engine if any bank changed since the last build. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const revision = await this.source.revision();
        if (revision === this.revision) return;
        const loaded = await load(this.source);
        this.engine = loaded.engine;
        this.revision = loaded.revision;
        this.bankNames = loaded.banks;
        this.reportRefused();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Rules in force (terms, allow entries and regex rules). */
  get ruleCount(): number {
    return this.engine.ruleCount;
  }

  /**
   * Checks a text against the banks in force (or those named): every match with its span in the text,
   * and the verdict under the policy. Throws invalid_argument for an unknown bank or a text too long.
   */
  check(text: string, mode: TextMode, policy: TextPolicy, banks?: readonly string[]): TextCheck {
    if (text.length > maxTextLength) {
      throw new WardenError(
        'invalid_argument',
        `The text is ${text.length} characters long; check at most ${maxTextLength} at a time (split longer texts).`,
      );
    }
    let only: Set<string> | undefined;
    if (banks !== undefined) {
      const unknown = banks.filter((name) => !this.bankNames.has(name));
      if (unknown.length > 0) {
        throw new WardenError(
          'invalid_argument',
          `No enabled text bank named ${unknown.map((name) => `"${name.slice(0, 64)}"`).join(', ')}.`,
        );
      }
      only = new Set(banks);
    }
    const matches = this.engine.check(text, only);
    const verdict: TextVerdict =
      matches.length === 0
        ? 'allow'
        : matches.some((match) => match.severity >= policy.blockSeverity)
          ? 'block'
          : 'review';
    if (mode !== 'search' || verdict !== 'block') return { verdict, matches };
    // The gravest category's message, else the default one.
    const gravest = [...matches].sort((a, b) => b.severity - a.severity)[0]?.category ?? '*';
    const deterrence = policy.deterrence[gravest] ?? policy.deterrence['*'];
    return { verdict, matches, ...(deterrence === undefined ? {} : { deterrence }) };
  }

  private reportRefused(): void {
    for (const { rule, reason } of this.engine.refused) this.options.onRuleRefused?.(rule, reason);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}

/** Where the rules come from: the text banks' entries, owned by the matching domain. */
export interface TextRuleSource {
  /** The banks' revision now: any change to any bank moves it. */
  revision(): Promise<number>;
  /** Every enabled term and regex entry of the enabled banks, read after the revision it returns. */
  load(): Promise<{ revision: number; rules: TextRule[] }>;
}

async function load(
  source: TextRuleSource,
): Promise<{ engine: TextEngine; revision: number; banks: Set<string> }> {
  const { revision, rules } = await source.load();
  return { engine: TextEngine.build(rules), revision, banks: new Set(rules.map((rule) => rule.bank)) };
}
