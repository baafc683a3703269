// The platform API: health, hashing an upload, and matching an upload or hashes against the banks, with
// the verdict the rules give.
import type { FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { WardenError } from '../../errors/index.js';
import { parseSignal } from '../../hashing/index.js';
import type { ContentHashes } from '../../hashing/index.js';
import { matchJson } from '../../matching/index.js';
import { normaliseUrl } from '../../network/index.js';
import type { MatchOptions, MatchQuery } from '../../matching/index.js';
import type { ContentItem } from '../../pipeline/index.js';
import { principalOf } from '../auth.js';
import { matchesFor } from './banks.js';
import { ContentHashesSchema, MatchSchema, MultipartFile, SignalTypeSchema, errors } from '../schemas.js';
import type { Services } from '../services.js';

const thresholdWords =
  'largest PDQ distance (default 31, WARDEN_MATCH_THRESHOLD); at most the server maximum, WARDEN_MAX_PDQ_THRESHOLD (default 63)';

const SignalSchema = Type.Object({
  type: SignalTypeSchema,
  value: Type.String({ maxLength: 4096 }),
});

const MatchBody = Type.Object(
  {
    signals: Type.Array(SignalSchema, {
      minItems: 1,
      maxItems: 64,
      description: 'signals of ONE piece of content',
    }),
    threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 256, description: thresholdWords })),
    dihedral: Type.Optional(
      Type.Boolean({ description: 'for uploads only: also match rotations and flips' }),
    ),
    quality: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100, description: 'PDQ quality, if the platform computed it' }),
    ),
    reference: Type.Optional(
      Type.String({ maxLength: 200, description: "the platform's own id for the content" }),
    ),
    banks: Type.Optional(Type.Array(Type.String(), { maxItems: 100, description: 'only these banks' })),
  },
  { additionalProperties: false },
);

const MatchQueryString = Type.Object({
  threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 256, description: thresholdWords })),
  dihedral: Type.Optional(Type.Boolean()),
  reference: Type.Optional(Type.String({ maxLength: 200 })),
});

const MatchResponse = Type.Object({
  verdict: Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block')]),
  rules: Type.Array(Type.String(), { description: 'the rules that fired' }),
  report_id: Type.Optional(
    Type.Integer({ description: 'the report filed for review, when the verdict is review or block' }),
  ),
  low_quality: Type.Boolean({ description: 'the PDQ quality is below the trusted minimum' }),
  query: Type.Object({
    pdq: Type.Optional(Type.String()),
    quality: Type.Optional(Type.Integer()),
    md5: Type.Optional(Type.String()),
    sha256: Type.Optional(Type.String()),
    url: Type.Optional(Type.String()),
  }),
  matches: Type.Array(MatchSchema, {
    description: 'the nearest matches first, at most WARDEN_MAX_MATCHES (default 100)',
  }),
  truncated: Type.Boolean({ description: 'more entries matched than `matches` holds' }),
});

const HealthSchema = Type.Object({
  status: Type.String(),
  database: Type.String(),
  index_size: Type.Integer(),
  problem: Type.Optional(Type.String({ description: 'what fails in the database, and what to do' })),
  since: Type.Optional(Type.String({ description: 'when that failure was last seen' })),
});

const platformRoles = ['platform', 'admin', 'analyst'] as const;

export function registerPlatformRoutes(app: App, services: Services): void {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        summary: 'Is Warden up?',
        tags: ['platform'],
        security: [],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (request, reply) => {
      // Healthy means writes work: a database that answers reads while every write fails is not.
      const health = await services.database.checkHealth().catch((error: unknown) => {
        request.log.error({ err: error }, 'database health check failed');
        return {
          ok: false,
          problem: 'The database did not answer.',
          since: new Date().toISOString(),
        } as const;
      });
      return reply.status(health.ok ? 200 : 503).send({
        status: health.ok ? 'ok' : 'database unavailable',
        database: services.database.dialect,
        index_size: services.matcher.indexSize,
        ...(health.ok ? {} : { problem: health.problem, since: health.since }),
      });
    },
  );

  app.post(
    '/v1/hash',
    {
      config: { roles: platformRoles, audit: false },
      schema: {
        summary: 'Hash an uploaded image',
        description:
          'PDQ (with quality), MD5 and SHA-256 of an image sent as multipart/form-data in the field `file`.',
        tags: ['platform'],
        consumes: ['multipart/form-data'],
        body: MultipartFile,
        response: { 200: ContentHashesSchema, ...errors(413, 422) },
      },
    },
    async (request) => {
      return (await hashUpload(request, services, false)).hashes;
    },
  );

  app.post(
    '/v1/match',
    {
      config: { roles: platformRoles, audit: false },
      schema: {
        summary: 'Match an upload or hashes against the banks',
        description:
          'Send an image as multipart/form-data (field `file`; options in the query string), or JSON `{"signals":[{"type":"pdq","value":HEX}], ...}` for one piece of content. Returns the matches (the nearest, at most WARDEN_MAX_MATCHES, with `truncated` when there were more; a bank entry’s own hash only for admins) and the verdict of the rules; a verdict of review or block files a report and notifies webhooks.',
        tags: ['platform'],
        querystring: MatchQueryString,
        body: {
          content: {
            'application/json': { schema: MatchBody },
            'multipart/form-data': { schema: MultipartFile },
          },
        },
        response: { 200: MatchResponse, ...errors(404, 413, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const query = request.query;
      let item: ContentItem;
      let options: MatchOptions;
      let reference = query.reference;
      if (request.isMultipart()) {
        const { bytes, hashes } = await hashUpload(request, services, query.dihedral === true);
        item = {
          signals: {
            pdq: hashes.pdq,
            quality: hashes.quality,
            md5: hashes.md5,
            sha256: hashes.sha256,
            ...(hashes.dihedral ? { dihedral: hashes.dihedral } : {}),
          },
          url: '',
          bytes,
          size: { width: hashes.width, height: hashes.height },
        };
        options = {
          ...(query.threshold === undefined ? {} : { threshold: query.threshold }),
          dihedral: query.dihedral === true,
        };
      } else {
        const body = request.body as Static<typeof MatchBody>;
        if (body.dihedral === true) {
          throw new WardenError(
            'invalid_argument',
            'dihedral matching needs the image: upload it as multipart/form-data with ?dihedral=true, or send the rotated hashes as extra pdq signals.',
          );
        }
        item = { signals: signalsFromJson(body), url: '' };
        options = {
          ...(body.threshold === undefined ? {} : { threshold: body.threshold }),
          ...(body.banks ? { banks: body.banks } : {}),
        };
        reference = body.reference ?? reference;
      }
      // A URL signal is the content's URL; the hashes are its item.
      const { url, ...signals } = item.signals;
      const outcome = await services.pipeline.process({
        source: 'match',
        reporter: principal.actor,
        sourceIp: request.ip,
        ...(reference === undefined ? {} : { reference }),
        ...(url === undefined ? {} : { url }),
        items: Object.keys(signals).length === 0 ? [] : [{ ...item, signals }],
        matchOptions: options,
      });
      const shown = {
        ...(signals.pdq === undefined ? {} : { pdq: signals.pdq }),
        ...(signals.quality === undefined ? {} : { quality: signals.quality }),
        ...(signals.md5 === undefined ? {} : { md5: signals.md5 }),
        ...(signals.sha256 === undefined ? {} : { sha256: signals.sha256 }),
        ...(url === undefined ? {} : { url }),
      };
      return {
        verdict: outcome.verdict,
        rules: outcome.rules,
        ...(outcome.report === undefined ? {} : { report_id: outcome.report.id }),
        low_quality: outcome.lowQuality,
        query: shown,
        matches: matchesFor(principal, outcome.matches.map(matchJson)),
        truncated: outcome.truncated,
      };
    },
  );
}

interface Upload {
  bytes: Buffer;
  hashes: ContentHashes;
}

/** The signals of one piece of content: at most one of each type. */
function signalsFromJson(body: Static<typeof MatchBody>): MatchQuery {
  const signals: MatchQuery = body.quality === undefined ? {} : { quality: body.quality };
  for (const signal of body.signals) {
    if (signals[signal.type] !== undefined) {
      throw new WardenError(
        'invalid_argument',
        `Send at most one ${signal.type} signal per request: a request describes one piece of content.`,
      );
    }
    switch (signal.type) {
      case 'pdq':
        signals.pdq = parseSignal('pdq', signal.value);
        break;
      case 'md5':
      case 'sha256':
        signals[signal.type] = parseSignal(signal.type, signal.value);
        break;
      case 'url':
        signals.url = normaliseUrl(signal.value);
        break;
    }
  }
  return signals;
}

/** Reads the one uploaded file and hashes it on the hashing threads. */
export async function hashUpload(
  request: FastifyRequest,
  services: Services,
  dihedral: boolean,
  field = 'file',
): Promise<Upload> {
  const bytes = await uploadBytes(request, field);
  return { bytes, hashes: await services.hashing.hashBytes(bytes, { pipeline: 'full', dihedral }) };
}

/**
 * The bytes of the one file uploaded as multipart/form-data. The form is read to its end, so that a
 * second file is refused rather than silently ignored (the multipart plugin allows one file).
 */
export async function uploadBytes(request: FastifyRequest, field = 'file'): Promise<Buffer> {
  if (!request.isMultipart()) {
    throw new WardenError(
      'invalid_argument',
      `Send the image as multipart/form-data in the field "${field}".`,
    );
  }
  const noFile = new WardenError(
    'invalid_argument',
    `No file in the field "${field}": send the image as multipart/form-data with that field name.`,
  );
  let bytes: Buffer | undefined;
  try {
    for await (const part of request.files()) {
      if (part.fieldname !== field) throw noFile;
      bytes = await part.toBuffer();
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'FST_FILES_LIMIT') throw error;
    throw new WardenError(
      'invalid_argument',
      `Send one file per request: this form has more than one. Upload each file in its own request, in the field "${field}".`,
    );
  }
  if (bytes === undefined) throw noFile;
  return bytes;
}
