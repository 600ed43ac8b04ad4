import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Client } from '../clients/client.ts'
import { InvalidRequest } from '../errors.ts'
import type { TokenResponse } from '../grants/grant.ts'
import { Params } from '../grants/params.ts'

/**
 * Browser mode (Client.refreshTokenCookie): the refresh token never reaches page JavaScript. The token
 * endpoint sets it in an HttpOnly, SameSite=Strict cookie with Path=/oauth/token (Secure, with the __Secure-
 * prefix, on an https issuer) instead of the JSON body, and reads it back on grant_type=refresh_token. The
 * path sends the cookie to the token endpoint and to /oauth/token/logout, and to nothing else.
 *
 * CSRF: the browser attaches the cookie by itself, so every request of a browser-mode client must carry an
 * Origin header naming one of the client's allowedOrigins; a missing or other Origin is invalid_request.
 * SameSite=Strict is a second line only: sibling subdomains are the same site.
 */
export const REFRESH_COOKIE_PATH = '/oauth/token'

export type RefreshCookie = {
  /** Checks the Origin, answers CORS for it, and fills refresh_token from the cookie when the body has none. */
  accept(request: FastifyRequest, reply: FastifyReply, client: Client, params: Params): Params
  /** Moves the response's refresh token into the cookie. */
  deliver(reply: FastifyReply, response: TokenResponse): Omit<TokenResponse, 'refresh_token'>
  read(request: FastifyRequest): string | undefined
  clear(reply: FastifyReply): void
}

export function createRefreshCookie(options: { secure: boolean; maxAgeSeconds: number }): RefreshCookie {
  const name = options.secure ? '__Secure-keymint-refresh' : 'keymint-refresh'
  const attributes = { httpOnly: true, secure: options.secure, sameSite: 'strict', path: REFRESH_COOKIE_PATH } as const
  const read = (request: FastifyRequest) => request.cookies[name] || undefined
  return {
    accept(request, reply, client, params) {
      checkOrigin(request, reply, client)
      if (params.one('grant_type') !== 'refresh_token' || params.one('refresh_token') !== undefined) return params
      const token = read(request)
      if (token === undefined) return params
      return new Params({ ...(request.body as Record<string, string | string[]>), refresh_token: token })
    },
    deliver(reply, response) {
      const { refresh_token: token, ...rest } = response
      if (token !== undefined) reply.setCookie(name, token, { ...attributes, maxAge: options.maxAgeSeconds })
      return rest
    },
    read,
    clear(reply) {
      reply.clearCookie(name, attributes)
    },
  }
}

/** The CSRF check of browser mode, and the CORS answer that lets the allowed origin read the response. */
export function checkOrigin(request: FastifyRequest, reply: FastifyReply, client: Client): void {
  const origin = request.headers.origin
  if (origin === undefined) throw new InvalidRequest('the Origin header is required for this client')
  if (!client.allowedOrigins.includes(origin)) throw new InvalidRequest('origin not allowed for this client')
  reply.headers({ 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' })
}
