export interface Config {
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly audience: string;
  /** JWKS cache lifetime, ms. Default 600 000 (10 min). */
  readonly jwksCacheMaxAgeMs: number;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads PORT (default 4000), HOST (default 127.0.0.1), ISSUER (required),
 * AUDIENCE (required) and JWKS_CACHE_SECONDS (optional) once. Reports every
 * problem at once and returns a frozen object.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  let port = 4000;
  const rawPort = read('PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      problems.push(`PORT must be an integer between 0 and 65535, got ${JSON.stringify(rawPort)}`);
    }
  }

  const host = read('HOST') ?? '127.0.0.1';

  const issuer = read('ISSUER');
  if (issuer === undefined) {
    problems.push('ISSUER is required: the authorization server issuer URL, e.g. https://auth.example.com');
  } else if (!URL.canParse(issuer)) {
    problems.push(`ISSUER must be an absolute URL, got ${JSON.stringify(issuer)}`);
  } else {
    const url = new URL(issuer);
    if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
      problems.push('ISSUER must not have a query or fragment (RFC 8414 §2)');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      problems.push(`ISSUER must use https (http only for localhost), got ${JSON.stringify(issuer)}`);
    }
  }

  const audience = read('AUDIENCE');
  if (audience === undefined) {
    problems.push('AUDIENCE is required: the identifier this resource server expects in the aud claim');
  }

  let jwksCacheMaxAgeMs = 600_000;
  const rawCache = read('JWKS_CACHE_SECONDS');
  if (rawCache !== undefined) {
    if (!/^\d+$/.test(rawCache) || Number(rawCache) < 1 || Number(rawCache) > 86_400) {
      problems.push(`JWKS_CACHE_SECONDS must be an integer between 1 and 86400, got ${JSON.stringify(rawCache)}`);
    } else {
      jwksCacheMaxAgeMs = Number(rawCache) * 1000;
    }
  }

  if (problems.length > 0 || issuer === undefined || audience === undefined) throw new ConfigError(problems);
  return Object.freeze({ port, host, issuer, audience, jwksCacheMaxAgeMs });
}
