// Term blocking over HTTP: checking a search query or a message against the text banks in force, and a
// text bank's terms in and out as CSV (the bank itself, its entries and its audit trail are the banks
// API's, as for hash banks).
import { Type } from 'typebox';
import { exportTermList, importTermList } from '../../matching/index.js';
import { maxTextLength, textPolicy } from '../../text/index.js';
import type { App } from '../app.js';
import { BankName, Enum, errors } from '../schemas.js';
import type { Services } from '../services.js';

const checkRoles = ['platform', 'analyst', 'supervisor', 'admin'] as const;

const TextMatchSchema = Type.Object({
  term: Type.String({ description: 'the bank entry as written (a term, or a regular expression)' }),
  type: Enum(['term', 'regex'] as const),
  category: Type.String(),
  severity: Type.Integer({ description: '1 (low) to 5 (critical)' }),
  bank: Type.String(),
  entry_id: Type.Integer(),
  start: Type.Integer({ description: 'UTF-16 offset in the text as sent, where the match starts' }),
  end: Type.Integer({ description: 'UTF-16 offset where it ends (exclusive)' }),
  text: Type.String({ description: 'the text between start and end, as sent' }),
});

export function registerTextRoutes(app: App, services: Services): void {
  const { config, database, text } = services;
  const tags = ['text'];
  const policy = textPolicy(config);

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/v1/text/check',
    {
      config: { roles: checkRoles, audit: false },
      schema: {
        summary: 'Check a search query or a message against the text banks',
        description:
          'The text is normalised against evasions (look-alike letters, leetspeak, separators between letters, repeated letters, invisible characters, accents) and matched against every enabled term and rule, or those of `banks`. Each match gives its span in the text as sent. The verdict: `block` when a match has at least the block severity (WARDEN_TEXT_BLOCK_SEVERITY), `review` for lesser matches, else `allow`. A blocked `search` also returns the deterrence message and help link to show instead of results (WARDEN_TEXT_DETERRENCE).',
        tags,
        body: Type.Object(
          {
            text: Type.String({ maxLength: maxTextLength }),
            mode: Type.Optional(Enum(['search', 'message'] as const, { description: 'default message' })),
            banks: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            verdict: Enum(['allow', 'review', 'block'] as const),
            matches: Type.Array(TextMatchSchema),
            deterrence: Type.Optional(Type.Object({ message: Type.String(), help_url: Type.String() })),
          }),
          ...errors(),
        },
      },
    },
    (request) => text.check(request.body.text, request.body.mode ?? 'message', policy, request.body.banks),
  );

  app.post(
    '/v1/banks/:name/terms',
    {
      schema: {
        summary: 'Import a CSV term list into a text bank (created if absent)',
        description:
          'Send the CSV as `text/csv`. The header names at least `term` and `category`; optional columns `severity` (1-5), `language`, `match` (`word` or `substring`), `allow` (an allow-list entry), `regex` (the term is a regular expression) and `note`. All or nothing: one bad row refuses the whole file, with line numbers.',
        tags,
        params: BankName,
        consumes: ['text/csv'],
        body: Type.String({ description: 'the CSV term list' }),
        response: {
          200: Type.Object({
            bank: Type.String(),
            created_bank: Type.Boolean(),
            entries: Type.Integer(),
            terms: Type.Integer(),
            allow: Type.Integer(),
            regex: Type.Integer(),
          }),
          ...errors(404, 409),
        },
      },
    },
    async (request) => {
      const summary = await importTermList(database, request.params.name, request.body, { source: 'api' });
      await text.refresh();
      return summary;
    },
  );

  app.get(
    '/v1/banks/:name/terms',
    {
      schema: {
        summary: "Export a text bank's enabled terms and rules as a CSV term list",
        tags,
        params: BankName,
        response: { 200: Type.String({ description: 'text/csv' }), ...errors(404) },
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.name}.csv"`)
        .send(await exportTermList(database, request.params.name)),
  );
}
