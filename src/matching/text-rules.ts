// The text banks' entries as the term engine takes them: the text domain builds its engine from this
// source, since the banks and their entries are the matching domain's tables.
import { readCounter } from '../store/index.js';
import type { Database } from '../store/index.js';
import type { TextEntryAttributes, TextRule, TextRuleSource } from '../text/index.js';

/** The rules of every enabled term and regex entry of the enabled banks, and their revision. */
export function textRuleSource(database: Database): TextRuleSource {
  const revision = async () => (await readCounter(database.db, 'bank_revision')) ?? 0;
  return {
    revision,
    load: async () => {
      // The revision first: a change that lands during the load is picked up by the next refresh.
      const at = await revision();
      const rows = await database.db
        .selectFrom('bank_entries')
        .innerJoin('banks', 'banks.id', 'bank_entries.bank_id')
        .select([
          'bank_entries.id',
          'banks.name',
          'bank_entries.signal_type',
          'bank_entries.value',
          'bank_entries.category',
          'bank_entries.attributes',
        ])
        .where('bank_entries.signal_type', 'in', ['term', 'regex'])
        .where('bank_entries.enabled', '=', 1)
        .where('banks.enabled', '=', 1)
        .orderBy('bank_entries.id')
        .execute();
      const rules: TextRule[] = rows.map((row) => ({
        entryId: row.id,
        bank: row.name,
        type: row.signal_type === 'regex' ? 'regex' : 'term',
        value: row.value,
        category: row.category,
        attributes: JSON.parse(row.attributes) as TextEntryAttributes,
      }));
      return { revision: at, rules };
    },
  };
}
