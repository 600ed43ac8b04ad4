import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAuthorization } from './authorization-header.ts';
import { bearerChallenge, isQuotable } from './challenge.ts';
import type { BearerErrorCode } from './challenge.ts';
import { createAccessTokenVerifier, InvalidAccessTokenError } from './verify-access-token.ts';
import type { AccessTokenVerifier, AccessTokenVerifierOptions, VerifiedAccessToken } from './verify-access-token.ts';

/**
 * Either the verifier options (issuer, audience, jwksUri, ...) or a ready
 * `verify` function (e.g. one shared by several plugins, or a test double).
 */
export type BearerAuthOptions = { realm?: string } & (AccessTokenVerifierOptions | { verify: AccessTokenVerifier });

/** An `onRequest` or `preHandler` hook that admits only suitably scoped bearer tokens. */
export type BearerAuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token; `null` until a `requireScopes` hook has admitted the request. */
    accessToken: VerifiedAccessToken | null;
  }
  interface FastifyInstance {
    /**
     * A hook that requires a valid bearer token carrying every scope listed
     * (none listed: any valid token). Use as `onRequest` (preferred: runs before
     * the body is parsed) or `preHandler`.
     */
    requireScopes(...scopes: string[]): BearerAuthHook;
  }
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  description: string,
  challenge?: string,
): FastifyReply {
  if (challenge !== undefined) reply.header('www-authenticate', challenge);
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

async function bearerAuthPlugin(app: FastifyInstance, options: BearerAuthOptions): Promise<void> {
  const { realm = 'api' } = options;
  if (!isQuotable(realm)) throw new TypeError('bearerAuth: realm must be printable ASCII without " or \\');
  const verify = 'verify' in options ? options.verify : createAccessTokenVerifier(options);

  const reject = (reply: FastifyReply, status: number, error: BearerErrorCode, description: string) =>
    sendError(reply, status, error, description, bearerChallenge(realm, { error, errorDescription: description }));

  app.decorateRequest('accessToken', null);

  app.decorate('requireScopes', function requireScopes(...scopes: string[]): BearerAuthHook {
    for (const scope of scopes) {
      if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`requireScopes: invalid scope ${JSON.stringify(scope)}`);
    }
    const needed = scopes.join(' ');

    return async function bearerAuthHook(request, reply) {
      let token = request.accessToken;
      if (token === null) {
        const parsed = parseAuthorization(request.headers.authorization);
        if (parsed.kind === 'none') {
          // RFC 6750 §3.1: no error code when the request carried no bearer credentials.
          return sendError(reply, 401, 'unauthorized', 'A bearer access token is required', bearerChallenge(realm));
        }
        if (parsed.kind === 'malformed') return reject(reply, 400, 'invalid_request', parsed.description);
        try {
          token = await verify(parsed.token);
        } catch (err) {
          if (err instanceof InvalidAccessTokenError) {
            request.log.info({ reason: err.description }, 'rejected bearer token');
            return reject(reply, 401, 'invalid_token', err.description);
          }
          // The token could not be checked (JWKS unreachable, timeout, broken key set).
          // That says nothing about the token, so neither admit nor blame it.
          request.log.error({ err }, 'cannot verify bearer token');
          return sendError(reply, 503, 'temporarily_unavailable', 'The access token cannot be verified right now');
        }
        request.accessToken = token;
      }
      const granted = new Set(token.scopes);
      if (!scopes.every((s) => granted.has(s))) {
        const description = `The access token lacks a required scope (${needed})`;
        return sendError(
          reply,
          403,
          'insufficient_scope',
          description,
          bearerChallenge(realm, { error: 'insufficient_scope', scope: needed }),
        );
      }
      return undefined;
    };
  });
}

// What fastify-plugin does: skip encapsulation so the decorators land on the
// instance that registers the plugin, and name it for `app.hasPlugin`.
export const bearerAuth = Object.assign(bearerAuthPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'bearer-auth',
  [Symbol.for('plugin-meta')]: { name: 'bearer-auth', fastify: '5.x' },
});
