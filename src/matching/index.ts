// The matching domain: banks of known signals, their import and export, the PDQ index, and the matcher
// that turns content signals into matches.
export {
  createBank,
  getBank,
  listBanks,
  updateBank,
  deleteBank,
  addBankEntry,
  addBankEntries,
  publishingBank,
  findBank,
  parseBankSignal,
  setBankEntryEnabled,
  listBankEntries,
  getBankEntries,
  validateSignalType,
  signalTypes,
} from './banks.js';
export type {
  Bank,
  BankWithCount,
  BankEntry,
  BankId,
  BankEntryId,
  NewBank,
  NewBankEntry,
  BankChanges,
  ListEntriesOptions,
} from './banks.js';
export { importBankFile, exportBankFile, checkBankExport } from './bank-files.js';
export type {
  BankFileFormat,
  ImportOptions,
  ImportProgress,
  ImportSummary,
  ImportLineError,
  ExportOptions,
} from './bank-files.js';
export { importTermList, exportTermList } from './text-lists.js';
export type { TermImportSummary } from './text-lists.js';
export { Matcher, matchJson, visibleMatches } from './matcher.js';
export { textRuleSource } from './text-rules.js';
export type {
  Match,
  MatchJson,
  VisibleMatchJson,
  MatchQuery,
  MatchOptions,
  MatchResult,
  MatcherOptions,
} from './matcher.js';
export { PdqIndex, bruteForceSearch } from './pdq-index.js';
export type { PdqNeighbour } from './pdq-index.js';
