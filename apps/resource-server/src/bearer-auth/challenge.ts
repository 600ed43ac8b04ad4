/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface ChallengeParams {
  error?: BearerErrorCode;
  errorDescription?: string;
  scope?: string;
}

// RFC 6750 §3: realm/error_description values must be %x20-21 / %x23-5B / %x5D-7E,
// i.e. printable ASCII without `"` and `\`.
const QUOTABLE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

export function isQuotable(value: string): boolean {
  return QUOTABLE.test(value);
}

function quotable(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}

/**
 * Builds a `WWW-Authenticate` value, e.g.
 * `Bearer realm="api", error="invalid_token", error_description="The access token expired"`.
 */
export function bearerChallenge(realm: string, params: ChallengeParams = {}): string {
  const parts = [`realm="${quotable(realm)}"`];
  if (params.error !== undefined) parts.push(`error="${params.error}"`);
  if (params.errorDescription !== undefined) parts.push(`error_description="${quotable(params.errorDescription)}"`);
  if (params.scope !== undefined) parts.push(`scope="${quotable(params.scope)}"`);
  return `Bearer ${parts.join(', ')}`;
}
