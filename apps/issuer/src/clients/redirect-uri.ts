// Which redirect URIs a client may register (RFC 6749 §3.1.2, RFC 9700 §2.1, RFC 8252 §7 for native apps).
// They are later matched by exact string comparison, so what is registered is what must be sent.

const LOOPBACK_HOSTS = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/

/** Why a redirect URI cannot be registered; undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'must be an absolute URI'
  }
  if (uri.includes('#')) return 'must not have a fragment'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.test(url.hostname) ? undefined : 'must use https (plain http only for loopback hosts, RFC 8252 §7.3)'
  }
  // A native app's private-use scheme is a reverse domain name it controls, e.g. com.example.app:/callback.
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) return undefined
  return 'must use https, http on a loopback host, or a reverse-domain private-use scheme (RFC 8252 §7)'
}
