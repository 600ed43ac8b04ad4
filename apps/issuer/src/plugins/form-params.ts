import type { FastifyRequest } from 'fastify'
import { InvalidRequest } from '../errors.ts'
import { Params } from '../grants/params.ts'

const FORM = 'application/x-www-form-urlencoded'

/** The parameters of a form-encoded OAuth request (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1); any other body is invalid_request. */
export function formParams(request: FastifyRequest): Params {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== FORM) throw new InvalidRequest(`content type must be ${FORM}`)
  return new Params((request.body ?? {}) as Record<string, string | string[]>)
}
