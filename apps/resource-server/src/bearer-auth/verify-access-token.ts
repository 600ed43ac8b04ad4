import { errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { createJwksSource } from './jwks-source.ts';

/** Options for {@link createAccessTokenVerifier}. Durations are in the unit named. */
export interface AccessTokenVerifierOptions {
  /** Expected `iss`; compared exactly (no trailing-slash normalisation). */
  issuer: string;
  /** This resource server's identifier; the token's `aud` must contain it. */
  audience: string;
  /** Where the issuer publishes its JWKS (from RFC 8414 metadata). */
  jwksUri: string | URL;
  /** Leeway for exp/nbf/iat checks, seconds. Default 5. */
  clockToleranceSec?: number;
  /** Minimum time between two JWKS refetches triggered by unknown kids, ms. Default 30 000. */
  cooldownMs?: number;
  /**
   * The longest a fetched JWKS is used before it is refetched, ms. Default 600 000. The issuer's
   * `Cache-Control: max-age` shortens it (Keymint's is JWKS_MAX_AGE_SECONDS, 300 s by default).
   */
  cacheMaxAgeMs?: number;
  /** Timeout of one JWKS HTTP request, ms. Default 5 000. */
  timeoutMs?: number;
}

/** What a verified RFC 9068 access token grants. */
export interface VerifiedAccessToken {
  sub: string;
  clientId: string;
  scopes: string[];
  claims: JWTPayload;
}

export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken>;

/**
 * The token itself is unacceptable (bad signature, expired, wrong iss/aud/typ/alg,
 * unknown kid, ...). Maps to 401 invalid_token. `description` is safe to send to
 * clients: it is one of the fixed strings below, never derived from token content.
 */
export class InvalidAccessTokenError extends Error {
  readonly description: string;

  constructor(description: string, options?: ErrorOptions) {
    super(description, options);
    this.name = 'InvalidAccessTokenError';
    this.description = description;
  }
}

// jose error codes that mean "this token is bad". Anything else (JWKS fetch
// failure, timeout, malformed JWKS, network errors) is an infrastructure problem
// and is rethrown untouched so the caller can answer 503 instead of 401.
const TOKEN_ERROR_CODES: ReadonlySet<string> = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

function describe(err: errors.JOSEError): string {
  if (err instanceof errors.JWTExpired) return 'The access token expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return `The access token lacks the ${err.claim} claim`;
    switch (err.claim) {
      case 'iss':
        return 'The access token was not issued by the expected issuer';
      case 'aud':
        return 'The access token is not intended for this resource server';
      case 'nbf':
        return 'The access token is not yet valid';
      case 'typ':
        return 'The token is not an at+jwt access token';
      default:
        return `The access token has an invalid ${err.claim} claim`;
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The access token is signed with a disallowed algorithm';
  if (err instanceof errors.JWKSNoMatchingKey) return 'The access token is signed with an unknown key';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature is invalid';
  return 'The access token is malformed';
}

/**
 * Builds a function that verifies RFC 9068 JWT access tokens issued by `issuer`.
 *
 * Key resolution: keys come ONLY from the issuer's JWKS at `jwksUri`, fetched by
 * jose's `createRemoteJWKSet`. jose selects the key by the header's `kid`/`alg`
 * and never looks at `jku`, `x5u`, `jwk` or `x5c` header parameters, so a token
 * cannot bring its own key or point us at an attacker's key set. Keep it that
 * way: do not add a key resolver that honours those headers.
 *
 * Rotation: the JWKS is refetched as the issuer's `Cache-Control: max-age`
 * says (jwks-source.ts), so a planned rotation's new key is held before it
 * signs. An unknown `kid` also triggers a refetch, but at most once per
 * `cooldownMs`, so a flood of tokens with random kids cannot turn this server
 * into an amplifier against the issuer.
 *
 * Throws {@link InvalidAccessTokenError} for bad tokens; any other error means
 * the token could not be checked (e.g. the issuer's JWKS is unreachable).
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { issuer, audience, jwksUri, clockToleranceSec = 5, cooldownMs = 30_000, cacheMaxAgeMs = 600_000, timeoutMs = 5_000 } = options;
  if (typeof issuer !== 'string' || issuer === '') throw new TypeError('issuer must be a non-empty string');
  if (typeof audience !== 'string' || audience === '') throw new TypeError('audience must be a non-empty string');

  const jwks = createJwksSource({ jwksUri, cooldownMs, cacheMaxAgeMs, timeoutMs });

  return async function verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience,
        algorithms: ['RS256'],
        typ: 'at+jwt',
        clockTolerance: clockToleranceSec,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      }));
    } catch (err) {
      if (err instanceof errors.JOSEError && TOKEN_ERROR_CODES.has(err.code)) {
        throw new InvalidAccessTokenError(describe(err), { cause: err });
      }
      throw err;
    }

    // RFC 9068 §2.2: sub and client_id are required strings; scope, when present,
    // is a space-separated string.
    const { sub, client_id: clientId, scope } = payload;
    if (typeof sub !== 'string' || sub === '') {
      throw new InvalidAccessTokenError('The access token has an invalid sub claim');
    }
    if (typeof clientId !== 'string' || clientId === '') {
      throw new InvalidAccessTokenError('The access token lacks the client_id claim');
    }
    if (scope !== undefined && typeof scope !== 'string') {
      throw new InvalidAccessTokenError('The access token has an invalid scope claim');
    }
    if (typeof payload.jti !== 'string') {
      throw new InvalidAccessTokenError('The access token has an invalid jti claim');
    }
    const scopes = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
    return { sub, clientId, scopes, claims: payload };
  };
}
