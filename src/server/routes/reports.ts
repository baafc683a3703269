// Intake over HTTP: public reports from anyone (rate-limited per client, never fetched here: the
// background fetch job does that under the network guard), platform reports with or without the media,
// and the list of reports.
import type { FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { WardenError } from '../../errors/index.js';
import { parseSignal } from '../../hashing/index.js';
import { matchJson } from '../../matching/index.js';
import type { MatchQuery } from '../../matching/index.js';
import { getReport, listReports, reportSources } from '../../reports/index.js';
import type { ReportJson } from '../../reports/index.js';
import { principalOf } from '../auth.js';
import { Enum, MatchSchema, MultipartFile, errors } from '../schemas.js';
import type { Services } from '../services.js';
import { matchesFor } from './banks.js';
import { hashUpload } from './platform.js';
import type { ContentItem } from '../../pipeline/index.js';
import { CaseStatusSchema } from './review-schemas.js';

const PublicReportBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'the page or image, http(s)' }),
    reason: Type.String({
      minLength: 1,
      maxLength: 2000,
      description:
        'what is wrong; a category name (csam, terrorism, ncii, harassment, other) sets the category',
    }),
    email: Type.Optional(
      Type.String({ maxLength: 254, description: 'to hear the outcome; erased once you are told' }),
    ),
  },
  { additionalProperties: false },
);
const PublicReportStatusSchema = Type.Object({
  reference: Type.String(),
  status: Type.Union([Type.Literal('received'), Type.Literal('in review'), Type.Literal('decided')]),
  created_at: Type.String(),
});
const PlatformReportFields = {
  url: Type.Optional(Type.String({ maxLength: 2048, description: 'where the content was' })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  category: Type.Optional(
    Type.String({ maxLength: 40, description: 'csam, terrorism, ncii, harassment, other' }),
  ),
  reference: Type.Optional(
    Type.String({ maxLength: 200, description: "the platform's own id for the content" }),
  ),
};
const PlatformReportBody = Type.Object(
  {
    ...PlatformReportFields,
    signals: Type.Optional(
      Type.Array(
        Type.Object({
          type: Type.Union([Type.Literal('pdq'), Type.Literal('md5'), Type.Literal('sha256')]),
          value: Type.String({ maxLength: 128 }),
        }),
        { maxItems: 3, description: 'hashes of the content, when the media is not sent' },
      ),
    ),
  },
  { additionalProperties: false },
);
const FiledSchema = Type.Object({
  report_id: Type.Integer(),
  case_id: Type.Integer(),
  reference: Type.Union([Type.String(), Type.Null()]),
  verdict: Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block')], {
    description: 'what the rules say of the content (the report is filed whatever they say)',
  }),
  occurrences: Type.Integer({
    description: 'how often you sent this content while the report was open (1 for a new report)',
  }),
  matches: Type.Array(MatchSchema, { description: 'bank matches of the content' }),
});
const ReportSchema = Type.Object(
  {
    id: Type.Integer(),
    source: Type.String(),
    status: Type.String({ description: 'whether its URL was fetched: new, fetched or unreachable' }),
    reference: Type.Union([Type.String(), Type.Null()]),
    url: Type.Union([Type.String(), Type.Null()]),
    media_url: Type.Optional(Type.String()),
    matches: Type.Array(MatchSchema),
    case_id: Type.Union([Type.Integer(), Type.Null()]),
    case_status: Type.Union([CaseStatusSchema, Type.Null()]),
    created_at: Type.String(),
  },
  { additionalProperties: true },
);
const ReportsQuery = Type.Object({
  source: Type.Optional(Enum(reportSources)),
  status: Type.Optional(CaseStatusSchema),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'reports with a larger id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

const reviewRoles = ['analyst', 'supervisor', 'admin'] as const;

export function registerReportRoutes(app: App, services: Services): void {
  const { casework, config } = services;
  const tags = ['reports'];

  app.post(
    '/v1/public/reports',
    {
      config: { public: true, rateLimit: { max: config.publicReportsPerHour, timeWindow: 3_600_000 } },
      schema: {
        summary: 'Report a URL (anyone, anonymously)',
        description:
          'Files a public report for analysts to verify. The URL is not fetched while you wait; an email, if given, is used once to tell you the outcome. Keep the reference to ask about the report.',
        tags,
        security: [],
        body: PublicReportBody,
        response: { 201: Type.Object({ reference: Type.String() }), ...errors() },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // Public reporters stay anonymous: their address limits their rate but is not recorded.
      const filed = await casework.fileReport({
        source: 'public',
        reporter: 'public',
        url: body.url,
        reason: body.reason,
        ...(body.email === undefined || body.email.trim() === '' ? {} : { contactEmail: body.email.trim() }),
      });
      return reply.status(201).send({ reference: filed.reference ?? '' });
    },
  );

  app.get(
    '/v1/public/reports/:reference',
    {
      config: { public: true, rateLimit: { max: config.publicReportsPerHour * 10, timeWindow: 3_600_000 } },
      schema: {
        summary: 'Where a public report stands',
        tags,
        security: [],
        params: Type.Object({ reference: Type.String({ maxLength: 40 }) }),
        response: { 200: PublicReportStatusSchema, ...errors(404) },
      },
    },
    async (request) => casework.publicReportStatus(request.params.reference),
  );

  app.post(
    '/v1/reports',
    {
      config: { roles: ['platform', 'admin'] },
      schema: {
        summary: 'Report content for review',
        description:
          'JSON with a URL and/or hashes, or the media itself as multipart/form-data (field `file`; the other fields in the query string). Uploaded media is kept as encrypted evidence and matched against the banks.',
        tags,
        querystring: Type.Object(PlatformReportFields),
        body: {
          content: {
            'application/json': { schema: PlatformReportBody },
            'multipart/form-data': { schema: MultipartFile },
          },
        },
        response: { 201: FiledSchema, ...errors(413, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      let fields: Static<typeof PlatformReportBody>;
      let items: ContentItem[] = [];
      if (request.isMultipart()) {
        fields = request.query;
        const { bytes, hashes } = await hashUpload(request, services, false);
        items = [
          {
            signals: { pdq: hashes.pdq, quality: hashes.quality, md5: hashes.md5, sha256: hashes.sha256 },
            url: '',
            bytes,
            size: { width: hashes.width, height: hashes.height },
          },
        ];
      } else {
        fields = request.body as Static<typeof PlatformReportBody>;
        const signals = signalsOf(fields.signals ?? []);
        if (Object.keys(signals).length > 0) items = [{ signals, url: '' }];
      }
      if (fields.url === undefined && items.length === 0) {
        throw new WardenError(
          'invalid_argument',
          'A report needs something to review: a url, hashes in signals, or the media as multipart/form-data.',
        );
      }
      const outcome = await services.pipeline.process({
        source: 'platform',
        reporter: principal.actor,
        sourceIp: request.ip,
        ...(fields.url === undefined ? {} : { url: fields.url }),
        ...(fields.reason === undefined ? {} : { reason: fields.reason }),
        ...(fields.category === undefined ? {} : { category: fields.category }),
        ...(fields.reference === undefined ? {} : { reference: fields.reference }),
        items,
      });
      const filed = outcome.report;
      if (filed === undefined) throw new Error('a platform report is always filed');
      return reply.status(201).send({
        report_id: filed.id,
        case_id: filed.caseId,
        reference: filed.reference,
        verdict: outcome.verdict,
        occurrences: filed.occurrences,
        matches: matchesFor(principal, outcome.matches.map(matchJson)),
      });
    },
  );

  app.get(
    '/v1/reports',
    {
      config: { roles: reviewRoles },
      schema: {
        summary: 'List reports, oldest first',
        tags,
        querystring: ReportsQuery,
        response: { 200: Type.Array(ReportSchema), ...errors() },
      },
    },
    async (request) => {
      const query = request.query;
      const reports = await listReports(services.database, {
        ...(query.source === undefined ? {} : { source: query.source }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.after === undefined ? {} : { afterId: query.after }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      return reports.map((report) => shown(request, report));
    },
  );
  app.get(
    '/v1/reports/:id',
    {
      config: { roles: reviewRoles },
      schema: {
        summary: 'One report',
        tags,
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: ReportSchema, ...errors(404) },
      },
    },
    async (request) => shown(request, await getReport(services.database, request.params.id)),
  );
}

/** A report as the caller may see it (see matchesFor). */
function shown(request: FastifyRequest, report: ReportJson) {
  return { ...report, matches: matchesFor(principalOf(request), report.matches) };
}

function signalsOf(signals: readonly { type: 'pdq' | 'md5' | 'sha256'; value: string }[]): MatchQuery {
  const result: MatchQuery = {};
  for (const signal of signals) {
    if (signal.type === 'pdq') result.pdq = parseSignal('pdq', signal.value);
    else result[signal.type] = parseSignal(signal.type, signal.value);
  }
  return result;
}
