// Compatibility with Meta's Hasher-Matcher-Actioner (HMA) API, so existing HMA clients work unchanged
// against Warden: the routes and response shapes of HMA's matching (/m), hashing (/h) and curation (/c)
// blueprints. Covered: GET /m/lookup, GET /m/raw_lookup, POST /h/hash (field `photo`), GET /c/banks.
// HMA's `video_md5` signal type is Warden's `md5`. HMA has no authentication of its own; Warden still
// requires an API key, sent as "Authorization: Bearer KEY".
import type { App } from '../app.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { WardenError } from '../../errors/index.js';
import { parseSignal } from '../../hashing/index.js';
import { listBanks, parseBankSignal, validateSignalType } from '../../matching/index.js';
import type { MatchQuery } from '../../matching/index.js';
import { errors } from '../schemas.js';
import type { Services } from '../services.js';
import { hashUpload } from './platform.js';

const LookupQuery = Type.Object({
  signal_type: Type.String({ description: 'pdq, md5 or video_md5' }),
  signal: Type.String({ maxLength: 128 }),
});
const RawLookupQuery = Type.Object({
  signal_type: Type.String(),
  signal: Type.String({ maxLength: 128 }),
  include_distance: Type.Optional(Type.Boolean()),
});

export function registerHmaRoutes(app: App, services: Services): void {
  const tags = ['hma-compatible'];
  const config = { roles: ['platform', 'admin', 'analyst'] as const, audit: false };

  const lookup = (query: Static<typeof LookupQuery>) => {
    const type = validateSignalType(query.signal_type);
    let signals: MatchQuery;
    try {
      signals =
        type === 'pdq'
          ? { pdq: parseSignal('pdq', query.signal) }
          : { [type]: parseBankSignal(type, query.signal) };
    } catch (error) {
      throw new WardenError('invalid_hash', `invalid signal type: ${(error as Error).message}`);
    }
    return services.matcher.match(signals);
  };

  app.get(
    '/m/lookup',
    {
      config,
      schema: {
        summary: 'HMA: the names of the banks a hash matches',
        tags,
        querystring: LookupQuery,
        response: { 200: Type.Array(Type.String()), ...errors() },
      },
    },
    async (request) => {
      const result = await lookup(request.query);
      return [...new Set(result.matches.map((match) => match.bank))];
    },
  );

  app.get(
    '/m/raw_lookup',
    {
      config,
      schema: {
        summary: 'HMA: the ids of the bank entries a hash matches',
        tags,
        querystring: RawLookupQuery,
        response: {
          200: Type.Object({
            matches: Type.Union([
              Type.Array(Type.Integer()),
              Type.Array(Type.Object({ content_id: Type.Integer(), distance: Type.String() })),
            ]),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const query = request.query;
      const result = await lookup(query);
      return {
        matches:
          query.include_distance === true
            ? result.matches.map((match) => ({ content_id: match.entryId, distance: String(match.distance) }))
            : result.matches.map((match) => match.entryId),
      };
    },
  );

  app.post(
    '/h/hash',
    {
      config,
      schema: {
        summary: 'HMA: hash an uploaded photo',
        description: 'multipart/form-data with the image in the field `photo`, as HMA expects.',
        tags,
        consumes: ['multipart/form-data'],
        response: { 200: Type.Object({ pdq: Type.String() }), ...errors(413, 422) },
      },
    },
    async (request) => ({ pdq: (await hashUpload(request, services, false, 'photo')).hashes.pdq }),
  );

  app.get(
    '/c/banks',
    {
      config: { roles: ['admin', 'analyst', 'platform'] as const },
      schema: {
        summary: 'HMA: list banks',
        tags,
        response: {
          200: Type.Array(Type.Object({ name: Type.String(), matching_enabled_ratio: Type.Number() })),
          ...errors(),
        },
      },
    },
    async () =>
      (await listBanks(services.database)).map((bank) => ({
        name: bank.name,
        matching_enabled_ratio: bank.enabled ? 1 : 0,
      })),
  );
}
