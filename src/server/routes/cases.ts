// The review queue over HTTP: cases in priority order, claiming (the lock), decisions, the evidence
// behind them (blurred unless deliberately revealed; every view audited), search and the dashboard.
import type { FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { Type } from 'typebox';
import { recordAudit } from '../../audit/index.js';
import { WardenError } from '../../errors/index.js';
import { listBanks } from '../../matching/index.js';
import type { CaseDetail, Reviewer } from '../../reports/index.js';
import { exposureToday, getUser, getWellnessLimits } from '../../users/index.js';
import { principalOf } from '../auth.js';
import { errors } from '../schemas.js';
import { matchesFor } from './banks.js';
import type { Services } from '../services.js';
import {
  CaseDetailSchema,
  CaseStatusSchema,
  CaseSummarySchema,
  DashboardSchema,
  DecisionBody,
} from './review-schemas.js';

const reviewRoles = ['analyst', 'supervisor', 'admin'] as const;
const CaseId = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function registerCaseRoutes(app: App, services: Services): void {
  const { casework, database, config } = services;
  const tags = ['review'];
  const access = { roles: reviewRoles };
  const reviewer = (request: FastifyRequest): Reviewer => {
    const principal = principalOf(request);
    return {
      actor: principal.actor,
      role: principal.role,
      ...(principal.person === undefined ? {} : { person: principal.person }),
    };
  };
  /** A case as the caller may see it (see matchesFor). */
  const shown = (request: FastifyRequest, detail: CaseDetail) => ({
    ...detail,
    reports: detail.reports.map((report) => ({
      ...report,
      matches: matchesFor(principalOf(request), report.matches),
    })),
  });

  app.get(
    '/v1/review/config',
    {
      config: access,
      schema: {
        summary: 'What a decision may say: categories, grades, banks, and the review rules in force',
        tags,
        response: {
          200: Type.Object({
            grades: Type.Record(Type.String(), Type.Array(Type.String())),
            categories: Type.Array(Type.String()),
            banks: Type.Array(Type.Object({ name: Type.String(), category: Type.String() })),
            two_person_rule: Type.Boolean(),
            reveal_before_confirm: Type.Boolean({
              description: 'an item is confirmed or agreed only by a person who revealed it in their claim',
            }),
            lock_ms: Type.Integer(),
            heartbeat_ms: Type.Integer({ description: 'how often an open case renews its claim' }),
          }),
          ...errors(),
        },
      },
    },
    async () => ({
      grades: config.grades,
      categories: Object.keys(config.grades),
      banks: (await listBanks(database))
        .filter((bank) => bank.enabled)
        .map((bank) => ({ name: bank.name, category: bank.category })),
      two_person_rule: config.twoPersonRule,
      reveal_before_confirm: config.revealBeforeConfirm,
      lock_ms: config.caseLockMs,
      // Three chances to renew before the claim runs out.
      heartbeat_ms: Math.floor(config.caseLockMs / 3),
    }),
  );

  app.get(
    '/v1/cases',
    {
      config: access,
      schema: {
        summary: 'The review queue, in priority order',
        description:
          'Known matches first, then by severity, source and age. Each case says why it sits where it does (`reasons`). Only cases the caller may work on are listed (not their own confirmations awaiting agreement; escalations only for supervisors).',
        tags,
        querystring: Type.Object({
          status: Type.Optional(CaseStatusSchema),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({
            cases: Type.Array(CaseSummarySchema),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
            held_by_others: Type.Integer({
              description: 'open cases you could work that someone else holds now',
            }),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const query = request.query;
      const page = await casework.queue(reviewer(request), {
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return { cases: page.cases, next_cursor: page.nextCursor, held_by_others: page.heldByOthers };
    },
  );

  app.post(
    '/v1/cases/next',
    {
      config: { ...access, audit: false },
      schema: {
        summary: 'Claim the case at the top of the queue',
        description:
          'Locks it to the caller and returns it; 204 when there is nothing to claim, with the number of cases others hold in the x-held-by-others header.',
        tags,
        response: { 200: CaseDetailSchema, 204: Type.Null(), ...errors() },
      },
    },
    async (request, reply) => {
      const claimed = await casework.claimNext(reviewer(request));
      if (claimed !== undefined) return shown(request, claimed);
      const held = await casework.heldByOthers(reviewer(request));
      return reply.status(204).header('x-held-by-others', String(held)).send(null);
    },
  );

  app.get(
    '/v1/cases/:id',
    {
      config: access,
      schema: {
        summary: 'One case: its reports, media, decisions and history',
        tags,
        params: CaseId,
        response: { 200: CaseDetailSchema, ...errors(404) },
      },
    },
    async (request) => shown(request, await casework.getCase(request.params.id)),
  );

  app.post(
    '/v1/cases/:id/claim',
    {
      config: { ...access, audit: false },
      schema: {
        summary: 'Lock a case to yourself for review (or renew your lock)',
        tags,
        params: CaseId,
        response: { 200: CaseDetailSchema, ...errors(404, 409) },
      },
    },
    async (request) => shown(request, await casework.claim(request.params.id, reviewer(request))),
  );

  app.post(
    '/v1/cases/:id/release',
    {
      config: { ...access, audit: false },
      schema: {
        summary: 'Give a case back to the queue without deciding',
        description:
          'Your own claim, or (supervisors and admins) anyone’s: releasing another person’s claim is written to the audit log. The console sends this when its page closes or reloads.',
        tags,
        params: CaseId,
        response: { 204: Type.Null(), ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await casework.release(request.params.id, reviewer(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/cases/:id/heartbeat',
    {
      config: { ...access, audit: false },
      schema: {
        summary: 'Keep holding a case you have open',
        description:
          'Renews your claim for another lock period (see lock_ms and heartbeat_ms in /v1/review/config). 409 once the claim is no longer yours: it was released, decided or ran out; claim the case again.',
        tags,
        params: CaseId,
        response: {
          200: Type.Object({ locked_by: Type.String(), locked_until: Type.String() }),
          ...errors(404, 409),
        },
      },
    },
    async (request) => casework.heartbeat(request.params.id, reviewer(request)),
  );

  app.post(
    '/v1/cases/:id/decisions',
    {
      // The domain writes the decision and its audit record in one transaction.
      config: { ...access, audit: false },
      schema: {
        summary: 'Decide a case you hold',
        description:
          'confirmed (category, grade when the category has grades, reason, and a verdict on every media item and page URL of the case), not_actionable, second_opinion; on a confirmation awaiting agreement, another person may agree (naming exactly the confirmed items and URLs) or disagree (the case goes to a supervisor); an escalated case is decided by a supervisor. Confirming or agreeing needs a person (a console session or a key made with --user), who revealed each confirmed item in their claim (WARDEN_REVEAL_BEFORE_CONFIRM). A final confirmation adds only the confirmed items’ hashes and the confirmed URLs to the bank, and tells reporters who left an email.',
        tags,
        params: CaseId,
        body: DecisionBody,
        response: { 200: CaseDetailSchema, ...errors(404, 409) },
      },
    },
    async (request) => {
      const body = request.body;
      const decided = await casework.decide(request.params.id, reviewer(request), {
        kind: body.kind,
        reason: body.reason,
        ...(body.category === undefined ? {} : { category: body.category }),
        ...(body.grade === undefined ? {} : { grade: body.grade }),
        ...(body.bank === undefined ? {} : { bank: body.bank }),
        ...(body.items === undefined ? {} : { items: body.items }),
        ...(body.urls === undefined ? {} : { urls: body.urls }),
      });
      return shown(request, decided);
    },
  );

  app.get(
    '/v1/evidence/:sha256',
    {
      config: access,
      schema: {
        summary: 'See a piece of evidence',
        description:
          'Blurred and greyscale by default. view=revealed shows it clearly (greyscale unless your settings say otherwise) and counts toward your daily exposure, returned in the x-exposure-today header. Every view is written to the audit log.',
        tags,
        params: Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
        querystring: Type.Object({
          view: Type.Optional(Type.Union([Type.Literal('blurred'), Type.Literal('revealed')])),
          case_id: Type.Optional(Type.Integer({ minimum: 1, description: 'the case it is seen in' })),
        }),
        produces: ['image/webp'],
        response: { 200: Type.Unknown({ description: 'image/webp' }), ...errors(404, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { sha256 } = request.params;
      const caseId = request.query.case_id;
      const view = request.query.view ?? 'blurred';
      if (caseId !== undefined && !(await casework.caseHasMedia(caseId, sha256))) {
        throw new WardenError('not_found', `Case ${caseId} holds no evidence ${sha256}.`);
      }
      const greyscale = view === 'blurred' || (await wantsGreyscale(services, principal.userId));
      const image = await services.evidence.render(sha256, view, { greyscale });
      // Revealed while holding the case, the item counts as seen for the decision this claim leads to.
      if (view === 'revealed' && caseId !== undefined) {
        await casework.recordReveal(caseId, reviewer(request), sha256);
      }
      // Seen in a case, the view belongs to the case's history.
      await recordAudit(database.db, {
        actor: principal.actor,
        action: view === 'revealed' ? 'evidence.reveal' : 'evidence.view',
        target: caseId === undefined ? `evidence:${sha256}` : `case:${caseId}`,
        details: { sha256, view },
        sourceIp: request.ip,
      });
      if (view === 'revealed') {
        reply.header('x-exposure-today', String(await exposureToday(database, principal.actor)));
      }
      // Evidence never lingers in shared caches, nor in the browser's after the session.
      reply.header('cache-control', 'private, no-store');
      return reply.type(image.mime).send(Buffer.from(image.bytes));
    },
  );

  app.get(
    '/v1/search',
    {
      config: access,
      schema: {
        summary: 'Find cases by reference, URL, hash or case id',
        tags,
        querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 2048 }) }),
        response: { 200: Type.Object({ cases: Type.Array(CaseSummarySchema) }), ...errors() },
      },
    },
    async (request) => ({ cases: await casework.search(request.query.q) }),
  );

  app.get(
    '/v1/dashboard',
    {
      config: access,
      schema: {
        summary: 'Figures for the dashboard',
        description:
          'Reports per day by source, confirmed cases by category and grade, time from first report to decision (median and 90th percentile), hosting countries of confirmed URLs.',
        tags,
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) }),
        response: { 200: DashboardSchema, ...errors() },
      },
    },
    async (request) => casework.dashboard({ days: request.query.days ?? 30 }),
  );
}

/** Whether revealed media stays greyscale: a person's own setting within the admin's limits. */
async function wantsGreyscale(services: Services, userId: number | undefined): Promise<boolean> {
  if (userId === undefined) return !(await getWellnessLimits(services.database)).allowColour;
  const user = await getUser(services.database, userId);
  if (user.disabledAt !== null) throw new WardenError('forbidden', 'This account is disabled.');
  return user.settings.greyscale;
}
