// Banks and their entries over HTTP, for admins: the same operations as `warden bank`.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { App } from '../app.js';
import type { Principal, Role } from '../../auth/index.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { WardenError } from '../../errors/index.js';
import {
  addBankEntry,
  checkBankExport,
  createBank,
  deleteBank,
  exportBankFile,
  importBankFile,
  listBankEntries,
  listBanks,
  setBankEntryEnabled,
  updateBank,
  visibleMatches,
} from '../../matching/index.js';
import type { Bank, BankEntry, MatchJson, VisibleMatchJson } from '../../matching/index.js';
import { BankName, BankSignalTypeSchema, SignalTypeSchema, errors } from '../schemas.js';
import type { Services } from '../services.js';

const BankSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  category: Type.String(),
  description: Type.String(),
  source: Type.String(),
  enabled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
  entries: Type.Optional(Type.Integer({ description: 'enabled entries' })),
});
const TextAttributesSchema = Type.Object(
  {
    severity: Type.Integer({ minimum: 1, maximum: 5, description: '1 (low) to 5 (critical)' }),
    language: Type.String({ maxLength: 35, description: "BCP 47 tag, or '' for any" }),
    match: Type.Union([Type.Literal('word'), Type.Literal('substring')]),
    allow: Type.Boolean({ description: 'an allow-list entry: suppresses matches inside it' }),
  },
  { description: 'term and regex entries only' },
);
const EntrySchema = Type.Object({
  id: Type.Integer(),
  bank_id: Type.Integer(),
  signal_type: BankSignalTypeSchema,
  signal: Type.String(),
  attributes: Type.Optional(TextAttributesSchema),
  category: Type.String(),
  source: Type.String(),
  note: Type.String(),
  external_id: Type.String(),
  added_at: Type.String(),
  enabled: Type.Boolean(),
});
const NewBankBody = Type.Object(
  {
    name: Type.String(),
    category: Type.String(),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const BankChangesBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const NewEntryBody = Type.Object(
  {
    signal_type: BankSignalTypeSchema,
    signal: Type.String({ maxLength: 1000 }),
    attributes: Type.Optional(Type.Partial(TextAttributesSchema)),
    category: Type.Optional(Type.String()),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
    external_id: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const EntriesQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'entries after this id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  include_disabled: Type.Optional(Type.Boolean()),
});
const FileQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('txt')])),
  signal_type: Type.Optional(SignalTypeSchema),
});
const ImportSummary = Type.Object({
  bank: Type.String(),
  format: Type.String(),
  entries: Type.Integer(),
  added: Type.Integer(),
  already_present: Type.Integer(),
  ignored_columns: Type.Array(Type.String()),
});

const bankJson = (bank: Bank, entries?: number): Static<typeof BankSchema> => ({
  id: bank.id,
  name: bank.name,
  category: bank.category,
  description: bank.description,
  source: bank.source,
  enabled: bank.enabled,
  created_at: bank.createdAt,
  updated_at: bank.updatedAt,
  ...(entries === undefined ? {} : { entries }),
});

const entryJson = (entry: BankEntry): Static<typeof EntrySchema> => ({
  id: entry.id,
  bank_id: entry.bankId,
  signal_type: entry.signalType,
  signal: entry.signal,
  ...(entry.attributes === undefined ? {} : { attributes: entry.attributes }),
  category: entry.category,
  source: entry.source,
  note: entry.note,
  external_id: entry.externalId,
  added_at: entry.addedAt,
  enabled: entry.enabled,
});

/**
 * Who manages banks. Only they may read a bank entry's own signal, here or in a match anywhere else: hash
 * lists are confidential by agreement with the hotlines that share them.
 */
export const bankRoles = ['admin'] as const satisfies readonly Role[];

/** Whether the caller may see bank entries' signals. */
export function mayReadBanks(principal: Principal): boolean {
  return (bankRoles as readonly Role[]).includes(principal.role);
}

/** The matches as this caller may see them: every answer, view and list that holds matches goes through here. */
export function matchesFor(principal: Principal, matches: readonly MatchJson[]): VisibleMatchJson[] {
  return visibleMatches(matches, mayReadBanks(principal));
}

export function registerBankRoutes(app: App, services: Services): void {
  const { database } = services;
  const tags = ['banks'];
  const access = { roles: bankRoles };
  /** After a change made here, this process's matcher sees it at once; other processes within a refresh. */
  const refreshed = async <T>(value: T): Promise<T> => {
    await Promise.all([services.matcher.refresh(), services.text.refresh()]);
    return value;
  };

  app.get(
    '/v1/banks',
    {
      config: access,
      schema: { summary: 'List banks', tags, response: { 200: Type.Array(BankSchema), ...errors() } },
    },
    async () => (await listBanks(database)).map((bank) => bankJson(bank, bank.entryCount)),
  );

  app.post(
    '/v1/banks',
    {
      config: access,
      schema: {
        summary: 'Create a bank',
        tags,
        body: NewBankBody,
        response: { 201: BankSchema, ...errors(409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const bank = await createBank(database, {
        name: body.name,
        category: body.category,
        description: body.description ?? '',
      });
      return reply.status(201).send(bankJson(await refreshed(bank)));
    },
  );

  app.patch(
    '/v1/banks/:name',
    {
      config: access,
      schema: {
        summary: 'Rename, re-categorise, describe, enable or disable a bank',
        tags,
        params: BankName,
        body: BankChangesBody,
        response: { 200: BankSchema, ...errors(404, 409) },
      },
    },
    async (request) => {
      const { name } = request.params;
      return bankJson(await refreshed(await updateBank(database, name, request.body)));
    },
  );

  app.delete(
    '/v1/banks/:name',
    {
      config: access,
      schema: {
        summary: 'Delete a bank and its entries',
        tags,
        params: BankName,
        response: { 204: Type.Null(), ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteBank(database, request.params.name);
      await services.matcher.refresh();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/banks/:name/entries',
    {
      config: access,
      schema: {
        summary: "List a bank's entries",
        tags,
        params: BankName,
        querystring: EntriesQuery,
        response: { 200: Type.Array(EntrySchema), ...errors(404) },
      },
    },
    async (request) => {
      const query = request.query;
      const entries = await listBankEntries(database, request.params.name, {
        afterId: query.after ?? 0,
        limit: query.limit ?? 1000,
        includeDisabled: query.include_disabled === true,
      });
      return entries.map(entryJson);
    },
  );

  app.post(
    '/v1/banks/:name/entries',
    {
      config: access,
      schema: {
        summary: 'Add a signal to a bank',
        tags,
        params: BankName,
        body: NewEntryBody,
        response: { 201: EntrySchema, ...errors(404) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const entry = await addBankEntry(database, request.params.name, {
        signalType: body.signal_type,
        signal: body.signal,
        source: 'api',
        ...(body.category === undefined ? {} : { category: body.category }),
        ...(body.note === undefined ? {} : { note: body.note }),
        ...(body.external_id === undefined ? {} : { externalId: body.external_id }),
        ...(body.attributes === undefined ? {} : { attributes: body.attributes }),
      });
      return reply.status(201).send(entryJson(await refreshed(entry)));
    },
  );

  const EntryId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
  app.patch(
    '/v1/entries/:id',
    {
      config: access,
      schema: {
        summary: 'Enable or disable one bank entry',
        tags,
        params: EntryId,
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: EntrySchema, ...errors(404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { enabled } = request.body;
      return entryJson(await refreshed(await setBankEntryEnabled(database, id, enabled)));
    },
  );

  app.post(
    '/v1/banks/:name/import',
    {
      config: access,
      schema: {
        summary: 'Import a file of signals into a bank',
        description:
          'multipart/form-data with the file in the field `file`: CSV with a signal_type,signal header (optional category, note, source, external_id) or one hash per line. Every line is checked first; a file with any bad line writes nothing and the error lists the lines.',
        tags,
        params: BankName,
        querystring: FileQuery,
        consumes: ['multipart/form-data'],
        response: { 200: ImportSummary, ...errors(404, 413) },
      },
    },
    async (request) => {
      const { name } = request.params;
      const query = request.query;
      const part = request.isMultipart()
        ? await request.file({ limits: { fileSize: services.config.maxRequestBytes } })
        : undefined;
      if (part === undefined)
        throw new WardenError(
          'invalid_argument',
          'Send the file as multipart/form-data in the field "file".',
        );
      // The import reads its file twice (check, then write), so the upload goes to a private temporary file.
      const directory = await mkdtemp(join(tmpdir(), 'warden-import-'));
      try {
        const path = join(directory, part.filename.replace(/[^A-Za-z0-9._-]/g, '_') || 'upload');
        await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
        if (part.file.truncated) {
          throw new WardenError(
            'too_large',
            `The file is over ${services.config.maxRequestBytes} bytes; import it with "warden bank import" instead.`,
          );
        }
        const summary = await importBankFile(database, name, path, {
          source: part.filename || 'upload',
          ...(query.format === undefined ? {} : { format: query.format }),
          ...(query.signal_type === undefined ? {} : { signalType: query.signal_type }),
        });
        await services.matcher.refresh();
        return {
          bank: summary.bank,
          format: summary.format,
          entries: summary.entries,
          added: summary.added,
          already_present: summary.alreadyPresent,
          ignored_columns: summary.ignoredColumns,
        };
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  );

  app.get(
    '/v1/banks/:name/export',
    {
      config: access,
      schema: {
        summary: "Export a bank's enabled entries",
        description:
          'CSV (`signal_type,signal,category,note,source,external_id,added_at`) or one hash per line.',
        tags,
        params: BankName,
        querystring: FileQuery,
        produces: ['text/csv', 'text/plain'],
        response: { 200: Type.String(), ...errors(404) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const query = request.query;
      const format = query.format ?? 'csv';
      const options = {
        format,
        ...(query.signal_type === undefined ? {} : { signalType: query.signal_type }),
      };
      // Check first, so that a mistake is an error status rather than a broken stream.
      await checkBankExport(database, name, options);
      const body = new PassThrough();
      exportBankFile(database, name, body, options)
        .then(() => body.end())
        .catch((error: unknown) => body.destroy(error as Error));
      return (
        reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.${format}"`)
          // A stream of text: the schema documents the content; Fastify streams it as it is.
          .send(body as unknown as string)
      );
    },
  );
}
