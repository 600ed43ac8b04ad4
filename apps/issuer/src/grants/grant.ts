import type { Client } from '../clients/client.ts'
import type { Params } from './params.ts'

export type TokenResponse = {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope?: string
  refresh_token?: string
}

/** One grant type (RFC 6749 §4): what it is called, and how it turns an authenticated request into tokens. */
export interface Grant {
  readonly type: string
  issue(request: { client: Client; params: Params }): Promise<TokenResponse>
}
