import { InvalidGrant, InvalidScope } from '../errors.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import { revokeFamily } from '../refresh-tokens/family.ts'
import { rotateRefreshToken, type RotationDeps } from '../refresh-tokens/rotate.ts'
import { issueAccessToken } from '../tokens/access-token.ts'
import { formatScope, parseScope } from '../tokens/scope.ts'
import type { UserStore } from '../storage/ports.ts'
import type { Grant } from './grant.ts'

export type RefreshTokenGrantDeps = RotationDeps & {
  keyRing: KeyRing
  issuer: string
  accessTokenTtlSeconds: number
  users: Pick<UserStore, 'findById'>
}

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): the presented token is spent and a new refresh token comes
 * back with the access token. `scope` and `resource` may narrow what the token was granted, never widen it;
 * the new refresh token keeps the original grant.
 */
export function refreshTokenGrant(deps: RefreshTokenGrantDeps): Grant {
  return {
    type: 'refresh_token',
    async issue({ client, params }) {
      const presented = params.required('refresh_token')
      const requested = params.one('scope')
      const scopes = requested === undefined ? [] : parseScope(requested)
      if (scopes === undefined) throw new InvalidScope('scope is malformed')
      const resources = [...new Set(params.many('resource'))]
      // Before the token is spent: with no signing key the client gets 503 and keeps a usable token.
      const signer = deps.keyRing.signer()

      const { token, record } = await rotateRefreshToken({ token: presented, clientId: client.id, scopes, audiences: resources }, deps)
      // A user disabled since the family began gets nothing more from it, and the family ends here.
      if (record.userId !== null && (await deps.users.findById(record.userId))?.status === 'disabled') {
        await revokeFamily(record.familyId, deps, { reason: 'revocation', clientId: client.id, userId: record.userId })
        throw new InvalidGrant('the user of this refresh token is disabled')
      }
      const granted = scopes.length > 0 ? scopes : record.scopes
      const audiences = resources.length > 0 ? resources : record.audiences
      const { token: accessToken, expiresIn } = await issueAccessToken(
        {
          subject: record.userId ?? record.clientId,
          clientId: client.id,
          audience: audiences.length === 1 ? (audiences[0] as string) : audiences,
          scopes: granted,
          authTime: record.authTime === null ? undefined : Math.floor(record.authTime.getTime() / 1000),
        },
        { signer, clock: deps.clock, issuer: deps.issuer, ttlSeconds: deps.accessTokenTtlSeconds },
      )
      const response = { access_token: accessToken, token_type: 'Bearer' as const, expires_in: expiresIn, refresh_token: token }
      return granted.length > 0 ? { ...response, scope: formatScope(granted) } : response
    },
  }
}
