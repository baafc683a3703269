// Public report references: "WR-" and ten Crockford base32 characters (50 random bits), easy to read
// out and type: no I, L, O or U, and letters people confuse are read as the digits they look like.
import { randomInt } from 'node:crypto';
import { WardenError } from '../errors/index.js';
import type { CaseworkContext, Db } from './context.js';
import type { PublicReportStatus } from './types.js';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const length = 10;

export function newReference(): string {
  let code = '';
  for (let index = 0; index < length; index += 1) code += alphabet[randomInt(alphabet.length)] ?? '0';
  return `WR-${code}`;
}

/** The canonical form of a reference as a person typed it, or undefined if it cannot be one. */
export function parseReference(text: string): string | undefined {
  const compact = text.trim().toUpperCase().replace(/[\s-]/g, '');
  if (!compact.startsWith('WR')) return undefined;
  const code = compact.slice(2).replace(/[IL]/g, '1').replace(/O/g, '0');
  if (code.length !== length || [...code].some((character) => !alphabet.includes(character)))
    return undefined;
  return `WR-${code}`;
}

/** A reference no report has yet (a collision is astronomically rare; it is checked anyway). */
export async function uniqueReference(db: Db): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const reference = newReference();
    const taken = await db
      .selectFrom('reports')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirst();
    if (taken === undefined) return reference;
  }
  throw new Error('Could not find an unused report reference in 5 attempts.');
}

/** What a public reporter may learn: received, in review or decided; never the outcome's details. */
export async function publicReportStatus(
  context: CaseworkContext,
  text: string,
): Promise<PublicReportStatus> {
  const reference = parseReference(text);
  const notFound = new WardenError(
    'not_found',
    'No report has this reference. Check it against the one you were given (WR- and ten letters or digits).',
  );
  if (reference === undefined) throw notFound;
  const row = await context.database.db
    .selectFrom('reports')
    .leftJoin('cases', 'cases.id', 'reports.case_id')
    .select(['reports.reference', 'reports.created_at', 'cases.status'])
    .where('reports.reference', '=', reference)
    .executeTakeFirst();
  if (row === undefined) throw notFound;
  const status =
    row.status === 'decided'
      ? 'decided'
      : row.status === 'new' || row.status === null
        ? 'received'
        : 'in review';
  return { reference, status, created_at: row.created_at };
}
