import { issueAuthorizationCode } from '../authorization-codes/issue.ts'
import type { ClientLookup } from '../clients/authenticate.ts'
import type { Clock } from '../clock.ts'
import { needsConsent } from '../consents/consent.ts'
import { InvalidRequest } from '../errors.ts'
import type { Session } from '../sessions/session.ts'
import type { ConsentStore, EphemeralStore, UserStore } from '../storage/ports.ts'
import { randomToken } from '../tokens/random.ts'
import { PENDING_AUTHORIZATION_TTL_SECONDS, type AuthorizationRequest, type PendingAuthorization } from './authorization-request.ts'
import { authorizationResponseUrl } from './response-url.ts'

export type FlowDeps = {
  issuer: string
  clock: Clock
  findClient: ClientLookup
  users: UserStore
  consents: ConsentStore
  ephemeral: EphemeralStore
}

/** The steps of an authorization request in the browser: sign-in, consent, then back to the client with a code. */
export type AuthorizationFlow = {
  /** Keeps a validated request in the session; returns the interaction id the pages carry. */
  begin(session: Session, request: AuthorizationRequest): string
  /** The session's pending request of that id; an expired or unknown one is an error page. */
  pending(session: Session, interaction: string): PendingAuthorization
  /**
   * Where the browser goes next: the sign-in page, the consent page, or the client's redirect_uri with a
   * fresh code (the request then leaves the session). Changes the session: the caller saves it.
   */
  next(session: Session, interaction: string): Promise<string>
}

export function createAuthorizationFlow(deps: FlowDeps): AuthorizationFlow {
  const pending: AuthorizationFlow['pending'] = (session, interaction) => {
    const found = Object.hasOwn(session.pending, interaction) ? session.pending[interaction] : undefined
    if (found === undefined || found.expiresAt <= deps.clock.now()) {
      throw new InvalidRequest('this sign-in request has expired or was started in another browser: go back to the application and try again')
    }
    return found
  }
  return {
    begin(session, request) {
      const interaction = randomToken(16)
      session.pending[interaction] = { ...request, expiresAt: deps.clock.now() + PENDING_AUTHORIZATION_TTL_SECONDS * 1000 }
      return interaction
    },
    pending,
    async next(session, interaction) {
      const request = pending(session, interaction)
      const query = `?interaction=${encodeURIComponent(interaction)}`
      const signedIn = session.user
      const user = signedIn === undefined ? undefined : await deps.users.findById(signedIn.id)
      if (signedIn === undefined || user === undefined || user.status !== 'active') {
        session.user = undefined
        return `/sign-in${query}`
      }
      const client = await deps.findClient(request.clientId)
      if (client === undefined) throw new InvalidRequest('the application is no longer registered')
      if (needsConsent(client, await deps.consents.find(user.id, client.id), request.scopes)) return `/consent${query}`

      const code = await issueAuthorizationCode(
        {
          clientId: request.clientId,
          redirectUri: request.redirectUri,
          redirectUriSent: request.redirectUriSent,
          userId: user.id,
          scopes: request.scopes,
          audience: request.audience,
          codeChallenge: request.codeChallenge,
          authTime: signedIn.authTime,
        },
        deps,
      )
      delete session.pending[interaction]
      return authorizationResponseUrl(request.redirectUri, { code, state: request.state, iss: deps.issuer })
    },
  }
}
