import type { FastifyReply, FastifyRequest } from 'fastify'
import { authorizationResponseUrl } from '../authorization-requests/response-url.ts'
import { messagePage } from '../views/message.ts'
import { STYLE_HASH } from '../views/style.ts'

// The server-rendered pages (authorize, sign-in, consent, sign-out): their security headers, how an HTML
// response is sent, and how plugins/error-handler.ts renders an error for them.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An HTML page route: errors become an error page, or a redirect to the client once one is known. */
    page?: boolean
  }
}

/** Where an error goes back to the client (RFC 6749 §4.1.2.1), once the client and its redirect_uri are trusted. */
export type ErrorRedirect = { redirectUri: string; state: string | undefined; issuer: string }

const errorRedirects = new WeakMap<FastifyRequest, ErrorRedirect>()

export function isPageRequest(request: FastifyRequest): boolean {
  return request.routeOptions.config?.page === true
}

/** From here on, errors in this request go back to the client instead of an error page. */
export function redirectErrorsTo(request: FastifyRequest, target: ErrorRedirect): void {
  errorRedirects.set(request, target)
}

/**
 * Strict CSP: no scripts at all, only the inline stylesheet's hash. form-action also lists where a form's
 * redirect ends (the client's redirect_uri), because browsers apply form-action to redirects after a POST.
 */
function contentSecurityPolicy(formTargets: string[] = []): string {
  const targets = [...new Set(formTargets.map(sourceOf).filter((s) => s !== undefined))]
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    `form-action ${["'self'", ...targets].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/** Headers on every response of a page route, redirects and errors included (a route may narrow the CSP). */
async function pageHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', contentSecurityPolicy())
  reply.headers({
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  })
}

/**
 * Route options that mark a page route and give it the page headers: a hook of the page routes only, so
 * the token and other JSON endpoints run no hook for them.
 */
export const PAGE = { config: { page: true }, onSend: pageHeaders } as const

export function sendHtml(reply: FastifyReply, status: number, body: string, options: { formTargets?: string[] } = {}): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', contentSecurityPolicy(options.formTargets))
    .type('text/html; charset=utf-8')
    .send(body)
}

export type Problem = { status: number; error: string; description: string; headers: Record<string, string> }

/** Called by plugins/error-handler.ts for page routes: back to the client when it is known, else an error page. */
export function sendPageError(reply: FastifyReply, problem: Problem): FastifyReply {
  const target = errorRedirects.get(reply.request)
  if (target !== undefined) {
    const location = authorizationResponseUrl(target.redirectUri, {
      error: problem.error,
      error_description: problem.description,
      state: target.state,
      iss: target.issuer,
    })
    return reply.redirect(location, reply.request.method === 'GET' ? 302 : 303)
  }
  const title = problem.status >= 500 ? 'Something went wrong' : problem.status === 403 ? 'Request refused' : 'This request cannot be completed'
  return sendHtml(reply.headers(problem.headers), problem.status, messagePage({ title, message: sentence(problem.description), alert: true }))
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1)
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

/** A CSP source for a redirect URI: its origin for http(s), its scheme for a native app's private-use scheme. */
function sourceOf(uri: string): string | undefined {
  try {
    const url = new URL(uri)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined
  } catch {
    return undefined
  }
}
