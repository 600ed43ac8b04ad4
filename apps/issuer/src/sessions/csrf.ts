import { constantTimeEqual } from '../clients/secret.ts'
import type { Session } from './session.ts'

/** A form is genuine when it carries its session's synchronizer token. */
export function hasValidCsrfToken(session: Session | undefined, presented: string | undefined): boolean {
  if (session === undefined || presented === undefined) return false
  return constantTimeEqual(Buffer.from(presented, 'utf8'), Buffer.from(session.csrf, 'utf8'))
}

export const CSRF_FAILURE = 'this form has expired or did not come from this site: go back to the application and try again'
