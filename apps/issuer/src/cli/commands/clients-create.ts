import type { AuthMethod } from '../../clients/client.ts'
import { InvalidClientMetadata } from '../../clients/register.ts'
import { list, type Command } from '../command.ts'

/** keymint clients create: registers a client and prints its secret, the only time it is shown. */
export const clientsCreate: Command = async ({ admin, options, out }) => {
  if (options.name === undefined) throw new InvalidClientMetadata('--name is required')
  if (options.public === true && options['auth-method'] !== undefined) throw new InvalidClientMetadata('use --public or --auth-method, not both')
  const redirectUris = list(options['redirect-uris'])
  const authMethod = options.public === true ? 'none' : (options['auth-method'] as AuthMethod | undefined)
  const doc = await admin.createClient({
    name: options.name,
    grantTypes: list(options['grant-types'] ?? (redirectUris.length > 0 ? 'authorization_code' : 'client_credentials')),
    scopes: list(options.scopes),
    audiences: list(options.audience),
    redirectUris,
    ...(authMethod === undefined ? {} : { authMethod }),
    ...(options['first-party'] === true ? { firstParty: true } : {}),
    ...(options['refresh-cookie'] === true ? { refreshTokenCookie: true } : {}),
    ...(options['allowed-origins'] === undefined ? {} : { allowedOrigins: list(options['allowed-origins']) }),
  })
  if (options.json) {
    out.write(`${JSON.stringify(doc, null, 2)}\n`)
    return 0
  }
  out.write(`client_id:     ${doc.client_id}\n`)
  if (doc.client_secret !== undefined) out.write(`client_secret: ${doc.client_secret}\n`)
  out.write(`grant_types:   ${doc.grant_types.join(' ')}\nscope:         ${doc.scope}\naudiences:     ${doc.audiences.join(' ')}\n`)
  out.write(`auth method:   ${doc.token_endpoint_auth_method}\n`)
  if (doc.redirect_uris.length > 0) out.write(`redirect_uris: ${doc.redirect_uris.join(' ')}\n`)
  if (doc.refresh_token_cookie === true) out.write('refresh token: HttpOnly cookie (browser mode)\n')
  if (doc.allowed_origins !== undefined) out.write(`origins:       ${doc.allowed_origins.join(' ')}\n`)
  if (doc.client_secret !== undefined) out.write('\nStore the secret now: Keymint keeps only a hash of it.\n')
  return 0
}
