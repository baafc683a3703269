// Request and response shapes shared by several routes, for validation and the OpenAPI document.
import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. invalid_hash' }),
      message: Type.String({ description: 'what was wrong and what to do' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { description: 'An error a person can act on.' },
);

/** The error responses every authenticated route can give, plus those named. */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries([400, 401, 403, 429, ...statuses].map((status) => [status, ErrorResponse]));
}

/** A string from a fixed list, typed as its union. */
export const Enum = <T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Unsafe<T>(Type.String({ enum: [...values], ...options }));

export const Hex = (length: number, description: string) =>
  Type.String({ pattern: `^[0-9a-fA-F]{${length}}$`, description });

export const ContentHashesSchema = Type.Object({
  pdq: Hex(64, 'PDQ hash, 64 lowercase hex'),
  quality: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'PDQ quality; below 50 is not trusted for automatic action',
  }),
  md5: Hex(32, 'MD5 of the file bytes'),
  sha256: Hex(64, 'SHA-256 of the file bytes'),
  width: Type.Integer(),
  height: Type.Integer(),
});

export const SignalTypeSchema = Type.Union(
  [Type.Literal('pdq'), Type.Literal('md5'), Type.Literal('sha256'), Type.Literal('url')],
  { description: 'pdq, md5 and sha256 hashes, or url for a normalised URL' },
);

/** The `:name` of a bank in a route's path. */
export const BankName = Type.Object({ name: Type.String({ maxLength: 64 }) });

export const BankSignalTypeSchema = Type.Union(
  [...SignalTypeSchema.anyOf, Type.Literal('term'), Type.Literal('regex')],
  { description: 'pdq, md5, sha256, url; term or regex in text banks' },
);

export const MatchSchema = Type.Object({
  bank: Type.String(),
  category: Type.String(),
  signal_type: SignalTypeSchema,
  signal: Type.Optional(
    Type.String({ description: "the bank entry's signal: only for callers who may read the banks (admin)" }),
  ),
  distance: Type.Integer({ description: 'Hamming distance for PDQ; 0 for exact digests' }),
  entry_id: Type.Integer(),
  variant: Type.Optional(Type.String({ description: 'the dihedral variant of the upload that matched' })),
});
export const MultipartFile = Type.Object(
  { file: Type.Optional(Type.String({ format: 'binary', description: 'the image' })) },
  { description: 'multipart/form-data with one file in the field `file`' },
);
