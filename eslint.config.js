import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each domain owns its tables (STYLE.md §14): another domain reads or writes them only through the
// owner's index.ts. Migrations (src/store) create every table; tests may arrange any data they need.
const tableOwners = {
  store: ['counters'],
  auth: ['api_keys'],
  audit: ['audit_log'],
  jobs: ['jobs'],
  policy: ['rules'],
  matching: ['banks', 'bank_entries'],
  reports: ['reports', 'cases', 'case_signals', 'decisions', 'report_media', 'case_reveals'],
  webhooks: ['webhooks'],
  users: ['users', 'sessions', 'settings', 'sign_in_attempts'],
  evidence: ['evidence'],
  crawl: [
    'crawls',
    'crawl_urls',
    'crawl_hosts',
    'crawl_findings',
    'host_slots',
    'watched_urls',
    'url_checks',
    'crawl_videos',
  ],
};
const tableMethods =
  'selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|mergeInto';
const ownerOf = new Map(
  Object.entries(tableOwners).flatMap(([owner, tables]) => tables.map((t) => [t, owner])),
);

/** For the files of one folder of src/: a query on a table another domain owns is an error that names it. */
function tablesOutside(folder) {
  const foreign = [...ownerOf].filter(([, owner]) => owner !== folder);
  return {
    files: [`src/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts', 'src/store/migrations*.ts', 'src/store/migrations/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...foreign.map(([table, owner]) => ({
          selector: `CallExpression[callee.property.name=/^(${tableMethods})$/] > Literal[value=/^${table}(\\s|$)/]`,
          message: `The table ${table} belongs to the ${owner} domain: call a function of src/${owner}/index.ts instead (each domain owns its tables).`,
        })),
      ],
    },
  };
}
const sourceFolders = [
  ...Object.keys(tableOwners),
  'background',
  'cli',
  'config',
  'crawl',
  'errors',
  'hashing',
  'mail',
  'network',
  'pipeline',
  'server',
  'text',
  'warden',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'data/', 'assembly/', 'coverage/', '.tmp*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+.+/(?!index\\.js$)[^/]+$',
              message: "Import another domain only through its index.ts (the domain's public door).",
            },
          ],
        },
      ],
    },
  },
  {
    // Domain code never depends on the thin shells around it.
    files: ['src/**/*.ts'],
    ignores: ['src/server/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(server|cli)(/|$)',
              message: 'Domain code must not import the server or the CLI; move shared logic into a domain.',
            },
            {
              regex: '^(\\.\\./)+.+/(?!index\\.js$)[^/]+$',
              message: "Import another domain only through its index.ts (the domain's public door).",
            },
          ],
        },
      ],
    },
  },
  ...[...new Set(sourceFolders)].map(tablesOutside),
  {
    // Vitest's asymmetric matchers (expect.any, expect.objectContaining) are typed `any`.
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['bin/*.js', 'scripts/*.js', '*.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-restricted-imports': 'off' },
  },
);
