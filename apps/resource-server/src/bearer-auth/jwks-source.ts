import { createRemoteJWKSet, customFetch } from 'jose';
import type { JWTVerifyGetKey } from 'jose';

export interface JwksSourceOptions {
  jwksUri: string | URL;
  /** Minimum time between two JWKS refetches triggered by unknown kids, ms. */
  cooldownMs: number;
  /** The longest a fetched JWKS is used, ms, whatever the issuer's Cache-Control allows. */
  cacheMaxAgeMs: number;
  /** Timeout of one JWKS HTTP request, ms. */
  timeoutMs: number;
}

/** A JWKS answer is reused at least this long, even with `max-age=0` or `no-cache`: never a fetch per request. */
const MIN_REUSE_MS = 1_000;
/** After a failed refetch of a JWKS that is due, the cached keys serve this long before the next attempt. */
const RETRY_MS = 1_000;

/**
 * The issuer's JWKS through jose's `createRemoteJWKSet`, honouring the `Cache-Control: max-age` of each JWKS
 * response: the keys are refetched once the issuer's max-age has passed (capped at `cacheMaxAgeMs`).
 *
 * That is what makes key rotation seamless: the issuer publishes a staged key for at least that max-age before
 * it signs with it, so by the time a token carries the new `kid` this cache already holds it, and the
 * unknown-`kid` refetch (limited by `cooldownMs`) is never needed for a planned rotation.
 *
 * When a refetch due by max-age fails (issuer briefly unreachable), the keys already held keep verifying until
 * `cacheMaxAgeMs` after they were fetched; only past that does a failed fetch make verification fail.
 */
export function createJwksSource(options: JwksSourceOptions): JWTVerifyGetKey {
  const { cooldownMs, cacheMaxAgeMs, timeoutMs } = options;
  let refetchAt = 0;

  const fetchJwks = async (url: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(url, init);
    if (response.status === 200) {
      const maxAgeMs = cacheControlMaxAge(response.headers.get('cache-control'));
      const reuseMs = maxAgeMs === undefined ? cacheMaxAgeMs : Math.max(maxAgeMs, MIN_REUSE_MS);
      refetchAt = Date.now() + Math.min(reuseMs, cacheMaxAgeMs);
    }
    return response;
  };

  const remote = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: cooldownMs,
    cacheMaxAge: cacheMaxAgeMs,
    timeoutDuration: timeoutMs,
    [customFetch]: fetchJwks,
  });

  return async function getKey(header, token) {
    if (remote.jwks() !== undefined && Date.now() >= refetchAt) {
      try {
        await remote.reload();
      } catch {
        // Keep verifying with the keys held (jose itself refetches, and fails, once cacheMaxAgeMs is over).
        refetchAt = Date.now() + RETRY_MS;
      }
    }
    return remote(header, token);
  };
}

/**
 * The freshness lifetime of a response in ms (RFC 9111 §5.2.2): 0 for `no-store`/`no-cache`, the `max-age`
 * directive's value otherwise, undefined when the header says nothing about it.
 */
export function cacheControlMaxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  let maxAge: number | undefined;
  for (const directive of header.split(',')) {
    const [name = '', value] = directive.trim().split('=', 2);
    const lower = name.trim().toLowerCase();
    if (lower === 'no-store' || lower === 'no-cache') return 0;
    if (lower === 'max-age' && value !== undefined) {
      const seconds = value.trim().replace(/^"(.*)"$/, '$1');
      if (/^\d+$/.test(seconds)) maxAge = Number(seconds) * 1000;
    }
  }
  return maxAge;
}
