const WELL_KNOWN = '/.well-known/oauth-authorization-server';

export interface DiscoverOptions {
  /** Timeout of each metadata request, ms. Default 5 000. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export class DiscoveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DiscoveryError';
  }
}

/**
 * Where to look for the metadata of `issuer`. RFC 8414 §3.1 inserts the
 * well-known segment between host and path; for an issuer with a path many
 * servers instead append it, so that form is tried second. For an issuer
 * without a path both forms are the same URL.
 */
export function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return [new URL(WELL_KNOWN, url.origin)];
  return [new URL(`${WELL_KNOWN}${path}`, url.origin), new URL(`${url.origin}${path}${WELL_KNOWN}`)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fetches the issuer's RFC 8414 metadata (call it once, at start-up), checks
 * that its `issuer` is exactly the configured issuer (RFC 8414 §3.3, prevents
 * one server impersonating another) and returns its `jwks_uri`.
 */
export async function discoverJwksUri(issuer: string, options: DiscoverOptions = {}): Promise<string> {
  const { timeoutMs = 5_000, fetch: fetchImpl = globalThis.fetch } = options;
  const urls = metadataUrls(issuer);

  let metadata: unknown;
  let where = '';
  for (const [i, url] of urls.entries()) {
    where = url.href;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new DiscoveryError(`Cannot reach the issuer metadata at ${where}`, { cause });
    }
    if (response.status === 404 && i < urls.length - 1) {
      await response.body?.cancel();
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new DiscoveryError(`Issuer metadata at ${where} answered HTTP ${response.status}, expected 200`);
    }
    try {
      metadata = await response.json();
    } catch (cause) {
      throw new DiscoveryError(`Issuer metadata at ${where} is not valid JSON`, { cause });
    }
    break;
  }

  if (!isRecord(metadata)) throw new DiscoveryError(`Issuer metadata at ${where} is not a JSON object`);
  if (metadata.issuer !== issuer) {
    throw new DiscoveryError(
      `Issuer metadata at ${where} names issuer ${JSON.stringify(metadata.issuer)}, expected exactly ${JSON.stringify(issuer)}`,
    );
  }
  const jwksUri = metadata.jwks_uri;
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw new DiscoveryError(`Issuer metadata at ${where} has no valid jwks_uri`);
  }
  const protocol = new URL(jwksUri).protocol;
  const allowHttp = new URL(issuer).protocol === 'http:';
  if (protocol !== 'https:' && !(allowHttp && protocol === 'http:')) {
    throw new DiscoveryError(`Issuer metadata at ${where} has a jwks_uri that is not https: ${jwksUri}`);
  }
  return jwksUri;
}
