/** Result of reading an `Authorization` request header (RFC 6750 §2.1). */
export type ParsedAuthorization =
  | { kind: 'none' }
  | { kind: 'malformed'; description: string }
  | { kind: 'bearer'; token: string };

// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * - absent, empty, or another scheme (Basic, DPoP, ...) → `none`: the client did
 *   not try bearer authentication, so RFC 6750 §3.1 wants a bare challenge;
 * - `Bearer` without exactly one well-formed b64token → `malformed`;
 * - otherwise → `bearer` with the token.
 * The scheme name is case-insensitive (RFC 9110 §11.1).
 */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined) return { kind: 'none' };
  const value = header.trim();
  if (value === '') return { kind: 'none' };

  const schemeEnd = value.search(/[ \t]/);
  const scheme = schemeEnd === -1 ? value : value.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'none' };
  if (schemeEnd === -1) return { kind: 'malformed', description: 'The Bearer scheme needs a token' };

  const rest = value.slice(schemeEnd);
  const match = /^ +(\S+)$/.exec(rest);
  if (match === null) {
    return { kind: 'malformed', description: 'The Authorization header must hold exactly one bearer token' };
  }
  const token = match[1] as string;
  if (!B64TOKEN.test(token)) {
    return { kind: 'malformed', description: 'The bearer token contains characters outside the b64token syntax' };
  }
  return { kind: 'bearer', token };
}
