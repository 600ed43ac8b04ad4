import type { Client } from '../clients/client.ts'

/** First-party clients never ask; others ask once, and again only for scopes not granted before. */
export function needsConsent(client: Client, granted: string[] | undefined, requested: string[]): boolean {
  if (client.firstParty) return false
  if (granted === undefined) return true
  return requested.some((scope) => !granted.includes(scope))
}
