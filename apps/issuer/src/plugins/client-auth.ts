import type { FastifyRequest } from 'fastify'
import type { ClientCredentials } from '../clients/authenticate.ts'
import { InvalidClient, InvalidRequest } from '../errors.ts'
import type { Params } from '../grants/params.ts'

/**
 * Reads how the client authenticates (RFC 6749 §2.3.1): HTTP Basic with form-urlencoded id and secret,
 * or client_id and client_secret in the body, or client_id alone for a public client. More than one
 * method at once is invalid_request; none at all is invalid_client.
 */
export function readClientCredentials(request: FastifyRequest, params: Params): ClientCredentials {
  const bodyId = params.one('client_id')
  const bodySecret = params.one('client_secret')
  const header = request.headers.authorization
  if (header !== undefined && /^basic(\s|$)/i.test(header)) {
    if (bodySecret !== undefined) throw new InvalidRequest('use only one client authentication method')
    const basic = decodeBasic(header)
    if (bodyId !== undefined && bodyId !== basic.clientId) throw new InvalidRequest('client_id does not match the Authorization header')
    return { method: 'client_secret_basic', ...basic }
  }
  if (bodyId === undefined) throw new InvalidClient('client authentication is required', { basic: false })
  if (bodySecret !== undefined) return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret }
  return { method: 'none', clientId: bodyId }
}

function decodeBasic(header: string): { clientId: string; secret: string } {
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header)
  const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  const malformed = () => new InvalidClient('malformed Basic credentials', { basic: true })
  if (colon < 1) throw malformed()
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
  } catch {
    throw malformed()
  }
}

/** application/x-www-form-urlencoded decoding, as §2.3.1 requires for both halves of the Basic value. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '))
}
