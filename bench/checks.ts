import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'

// Correctness while measuring: every response is looked at (status, cheap shape check) and a sample of the
// tokens is verified in full, with jose against the server's own JWKS, the way a resource server would.

export type CheckCounts = {
  responses: number
  /** Responses checked in full (for tokens: signature and claims verified). */
  verified: number
  /** 200 responses whose body or token was wrong. Non-200 responses are counted by the load run itself. */
  failed: number
  firstFailure: string | undefined
}

export type ResponseCheck = {
  onResponse(status: number, body: string): void
  /** Waits for the sampled verifications still running, then gives the counts. */
  settle(): Promise<CheckCounts>
}

export type TokenExpectations = {
  jwks: JSONWebKeySet
  issuer: string
  audience: string
  clientId: string
  scope: string
  /** The token's sub, when it is not the client (a user's refresh-token family). */
  subject?: string
  /** The answer must carry a new refresh token too (rotation). */
  refreshToken?: boolean
  /** Verifies every n-th 200 response in full; the others get the cheap check only. */
  sampleEvery?: number
}

/** For token responses: RFC 6749 §5.1 JSON, and an RFC 9068 JWT (RS256, typ at+jwt) with the expected claims. */
export function tokenCheck(expect: TokenExpectations): ResponseCheck {
  const keys = createLocalJWKSet(expect.jwks)
  const every = expect.sampleEvery ?? 50
  const cheap = (body: string) => body.includes('"access_token":"') && (!expect.refreshToken || body.includes('"refresh_token":"'))
  return sampledCheck(every, cheap, async (body) => {
    const response = JSON.parse(body) as { access_token?: unknown; token_type?: unknown; expires_in?: unknown; refresh_token?: unknown }
    if (typeof response.access_token !== 'string') throw new Error('no access_token')
    if (expect.refreshToken && (typeof response.refresh_token !== 'string' || response.refresh_token.length < 32)) throw new Error('no new refresh_token')
    if (typeof response.token_type !== 'string' || response.token_type.toLowerCase() !== 'bearer') throw new Error('token_type is not Bearer')
    if (typeof response.expires_in !== 'number' || response.expires_in <= 0) throw new Error('expires_in is not a positive number')
    const { payload } = await jwtVerify(response.access_token, keys, {
      issuer: expect.issuer,
      audience: expect.audience,
      algorithms: ['RS256'],
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    })
    if (payload.client_id !== expect.clientId) throw new Error(`client_id is ${String(payload.client_id)}`)
    if (payload.sub !== (expect.subject ?? expect.clientId)) throw new Error(`sub is ${String(payload.sub)}`)
    if (payload.scope !== expect.scope) throw new Error(`scope is ${String(payload.scope)}`)
  })
}

/** For static documents (JWKS, the bare Fastify route): every 200 body must be exactly the expected one. */
export function exactBodyCheck(expected: string): ResponseCheck {
  return sampledCheck(1, (body) => body === expected, async () => {})
}

/** For RFC 7662 introspection of a valid token: `"active":true` every time, the full answer on a sample. */
export function introspectionCheck(clientId: string, sampleEvery = 50): ResponseCheck {
  return sampledCheck(sampleEvery, (body) => body.includes('"active":true'), async (body) => {
    const answer = JSON.parse(body) as { active?: unknown; client_id?: unknown }
    if (answer.active !== true) throw new Error('token is not active')
    if (answer.client_id !== undefined && answer.client_id !== clientId) throw new Error(`client_id is ${String(answer.client_id)}`)
  })
}

function sampledCheck(every: number, cheap: (body: string) => boolean, full: (body: string) => Promise<void>): ResponseCheck {
  const counts: CheckCounts = { responses: 0, verified: 0, failed: 0, firstFailure: undefined }
  const pending = new Set<Promise<void>>()
  let ok = 0
  const fail = (reason: string) => {
    counts.failed++
    counts.firstFailure ??= reason
  }
  return {
    onResponse(status, body) {
      counts.responses++
      if (status !== 200) return
      if (!cheap(body)) return fail(`unexpected body: ${body.slice(0, 120)}`)
      if (ok++ % every !== 0) return
      const verification = full(body).then(
        () => {
          counts.verified++
        },
        (error: unknown) => fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
      )
      pending.add(verification)
      void verification.finally(() => pending.delete(verification))
    },
    async settle() {
      await Promise.all([...pending])
      return { ...counts }
    },
  }
}
