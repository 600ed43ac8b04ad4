import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { OAuthError } from '../errors.ts'
import { isStorageOutage } from '../storage/outage.ts'
import { isPageRequest, sendPageError } from './pages.ts'

/**
 * The one place where errors become responses, always JSON in the RFC 6749 §5.2 shape
 * { error, error_description }: OAuth errors with their own status, request errors Fastify found as
 * invalid_request, storage outages as 503 temporarily_unavailable, anything else as a logged 500 server_error.
 * On the HTML page routes (plugins/pages.ts) the same error becomes an error page, or a redirect back to the
 * client once the route has established where errors go (RFC 6749 §4.1.2.1).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof OAuthError) {
      return send(reply, error.status, error.error, error.message, error.headers)
    }
    if (isStorageOutage(error)) {
      request.log.warn({ err: error }, 'storage unavailable')
      return send(reply, 503, 'temporarily_unavailable', 'storage is unavailable, try again shortly', { 'retry-after': '5' })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      // Content-type, body-size and parse errors from Fastify: client mistakes, never echoed with internals.
      const mediaType = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      return send(reply, mediaType ? 400 : status, 'invalid_request', describe(error, request))
    }
    request.log.error({ err: error }, 'unhandled error')
    return send(reply, 500, 'server_error', 'the server failed to process the request')
  })

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'not_found', `no endpoint at ${request.method} ${request.url.split('?')[0]}`),
  )
}

function describe(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}`
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is too large'
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'request body is not valid JSON'
    default:
      return error.validation ? `request is invalid: ${error.message}` : 'request is malformed'
  }
}

function send(reply: FastifyReply, status: number, error: string, description: string, headers: Record<string, string> = {}) {
  if (isPageRequest(reply.request)) return sendPageError(reply, { status, error, description, headers })
  return reply
    .code(status)
    .headers({ ...headers, 'cache-control': 'no-store', pragma: 'no-cache' })
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error, error_description: description }))
}
