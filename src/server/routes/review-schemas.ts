// Shapes of the review API (cases, decisions, the queue, the dashboard) for validation and OpenAPI.
import { Type } from 'typebox';
import { decisionKinds, itemVerdicts } from '../../reports/index.js';
import type { CaseStatus } from '../../store/index.js';
import { Enum, MatchSchema } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const caseStatuses: readonly CaseStatus[] = [
  'new',
  'in_review',
  'second_opinion',
  'awaiting_agreement',
  'escalated',
  'decided',
  'merged',
];
export const CaseStatusSchema = Enum(caseStatuses, {
  description: 'new → in_review (locked to one analyst) → decided; see the README for the others',
});

export const CaseSummarySchema = Type.Object({
  id: Type.Integer(),
  status: CaseStatusSchema,
  category: Type.String(),
  grade: Type.String(),
  outcome: Type.String({ description: "'' until decided; then confirmed or not_actionable" }),
  priority: Type.Integer({ description: 'higher first: known match, then severity, then source' }),
  reasons: Type.Array(Type.String(), { description: 'why the case sits where it does in the queue' }),
  known_match: Type.Boolean(),
  match_summary: Type.String(),
  source: Type.String({ description: 'the most trusted source among its reports' }),
  report_count: Type.Integer(),
  first_reported_at: Type.String(),
  last_reported_at: Type.String(),
  locked_by: Nullable(Type.String()),
  locked_until: Nullable(Type.String()),
  url: Nullable(Type.String()),
  media_count: Type.Integer(),
  thumbnail_sha256: Nullable(Type.String()),
  merged_into: Nullable(Type.Integer({ description: 'the case this one joined (status merged)' })),
  decided_at: Nullable(Type.String()),
});

const SignalsSchema = Type.Object({
  pdq: Type.String(),
  md5: Type.String(),
  sha256: Type.String(),
  quality: Nullable(Type.Integer()),
});

export const FetchRecordSchema = Type.Object({
  url: Type.String(),
  status: Type.Integer(),
  fetched_at: Type.String(),
  address: Type.String({ description: "the server's IP address the connection used" }),
  headers: Type.Record(Type.String(), Type.String()),
});

export const CaseReportSchema = Type.Object({
  id: Type.Integer(),
  source: Type.String(),
  reference: Nullable(Type.String()),
  url: Nullable(Type.String()),
  reason: Type.String(),
  category: Type.String(),
  reporter: Type.String(),
  platform_reference: Type.String(),
  created_at: Type.String(),
  host_address: Type.String(),
  host_country: Type.String(),
  signals: SignalsSchema,
  matches: Type.Array(MatchSchema),
  media: Type.Array(Type.Object({ sha256: Type.String(), url: Type.String() })),
  fetches: Type.Array(FetchRecordSchema, {
    description:
      'the HTTP exchanges that found the content (crawler reports): status, time, address, headers',
  }),
});

export const MediaSchema = Type.Object({
  sha256: Type.String(),
  md5: Type.String(),
  pdq: Type.String(),
  quality: Nullable(Type.Integer()),
  mime: Type.String(),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  size_bytes: Type.Integer(),
  url: Type.String(),
  matches: Type.Array(
    Type.Object({
      bank: Type.String(),
      category: Type.String(),
      signal_type: Type.String(),
      distance: Type.Integer(),
      entry_id: Type.Integer(),
    }),
    { description: "the bank entries this item matched, nearest first (never the entry's own hash)" },
  ),
});

const ItemVerdictSchema = Enum(itemVerdicts);
const ItemDecisionSchema = Type.Object(
  {
    sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
    verdict: ItemVerdictSchema,
    grade: Type.Optional(Type.String({ maxLength: 20, description: "default the decision's grade" })),
  },
  { additionalProperties: false },
);
const UrlDecisionSchema = Type.Object(
  { url: Type.String({ maxLength: 4096 }), verdict: ItemVerdictSchema },
  { additionalProperties: false },
);
const PublishSetSchema = {
  items: Type.Array(Type.Object({ sha256: Type.String(), grade: Type.String() })),
  urls: Type.Array(Type.String()),
};

export const DecisionSchema = Type.Object({
  id: Type.Integer(),
  actor: Type.String(),
  role: Type.String(),
  kind: Type.String(),
  category: Type.String(),
  grade: Type.String(),
  reason: Type.String(),
  bank: Type.String(),
  evidence_seen: Type.Array(Type.Object({ sha256: Type.String(), revealed: Type.Boolean() }), {
    description: 'each media item of the case, and whether this person had revealed it in their claim',
  }),
  items: Type.Array(ItemDecisionSchema),
  urls: Type.Array(UrlDecisionSchema),
  reveal_rule: Type.Boolean({ description: 'whether confirmed items had to be revealed first' }),
  created_at: Type.String(),
});

export const CaseDetailSchema = Type.Intersect([
  CaseSummarySchema,
  Type.Object({
    reports: Type.Array(CaseReportSchema),
    media: Type.Array(MediaSchema),
    urls: Type.Array(
      Type.Object({
        url: Type.String({ description: 'normalised, as a confirmation publishes it' }),
        reported: Type.String({ description: 'as first reported' }),
      }),
    ),
    decisions: Type.Array(DecisionSchema),
    pending: Nullable(
      Type.Object({
        actor: Type.String(),
        category: Type.String(),
        grade: Type.String(),
        bank: Type.String(),
        reason: Type.String(),
        created_at: Type.String(),
        ...PublishSetSchema,
      }),
    ),
    claim: Nullable(
      Type.Object(
        { actor: Type.String(), revealed: Type.Array(Type.String()) },
        { description: 'who holds the case now, and the items they revealed in this claim' },
      ),
    ),
    history: Type.Array(
      Type.Object({
        at: Type.String(),
        actor: Type.String(),
        action: Type.String(),
        details: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
  }),
]);

export const DecisionBody = Type.Object(
  {
    kind: Enum(decisionKinds),
    category: Type.Optional(Type.String({ maxLength: 40 })),
    grade: Type.Optional(Type.String({ maxLength: 20 })),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    bank: Type.Optional(Type.String({ maxLength: 64, description: 'the bank a confirmation publishes to' })),
    items: Type.Optional(
      Type.Array(ItemDecisionSchema, {
        maxItems: 1000,
        description:
          'confirmed: a verdict on every media item; agree: the confirmed items, exactly as proposed',
      }),
    ),
    urls: Type.Optional(
      Type.Array(UrlDecisionSchema, {
        maxItems: 1000,
        description: 'confirmed: a verdict on every page URL; agree: the confirmed URLs',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DashboardSchema = Type.Object({
  since: Type.String({ description: 'the first day counted (UTC)' }),
  reports_per_day: Type.Array(
    Type.Object({ day: Type.String(), source: Type.String(), count: Type.Integer() }),
  ),
  confirmed: Type.Array(
    Type.Object({ category: Type.String(), grade: Type.String(), count: Type.Integer() }),
  ),
  time_to_decision: Type.Object({
    count: Type.Integer(),
    median_seconds: Nullable(Type.Number()),
    p90_seconds: Nullable(Type.Number()),
  }),
  hosting_countries: Type.Array(Type.Object({ country: Type.String(), count: Type.Integer() })),
});
