// RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E )

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value)
}

/** Parses a scope parameter; undefined when malformed (empty tokens, bad characters). */
export function parseScope(value: string): string[] | undefined {
  const tokens = value.split(' ')
  if (!tokens.every(isScopeToken)) return undefined
  return [...new Set(tokens)]
}

export function formatScope(scopes: string[]): string {
  return scopes.join(' ')
}
