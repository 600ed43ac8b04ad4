/**
 * The client's redirect_uri with the response parameters added to its query (RFC 6749 §4.1.2: a query it
 * already has is kept), e.g. code, state and iss (RFC 9207), or error, error_description, state and iss.
 */
export function authorizationResponseUrl(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(name, value)
  }
  return url.href
}
