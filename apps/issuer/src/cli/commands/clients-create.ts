import type { AuthMethod } from '../../clients/client.ts'
import { InvalidClientMetadata } from '../../clients/register.ts'
import { list, type Command } from '../command.ts'

/** keymint clients create: registers a client and prints its secret, the only time it is shown. */
export const clientsCreate: Command = async ({ admin, options, out }) => {
  if (options.name === undefined) throw new InvalidClientMetadata('--name is required')
  const doc = await admin.createClient({
    name: options.name,
    grantTypes: list(options['grant-types'] ?? 'client_credentials'),
    scopes: list(options.scopes),
    audiences: list(options.audience),
    redirectUris: list(options['redirect-uris']),
    ...(options['auth-method'] === undefined ? {} : { authMethod: options['auth-method'] as AuthMethod }),
  })
  if (options.json) {
    out.write(`${JSON.stringify(doc, null, 2)}\n`)
    return 0
  }
  out.write(`client_id:     ${doc.client_id}\n`)
  if (doc.client_secret !== undefined) out.write(`client_secret: ${doc.client_secret}\n`)
  out.write(`grant_types:   ${doc.grant_types.join(' ')}\nscope:         ${doc.scope}\naudiences:     ${doc.audiences.join(' ')}\n`)
  out.write(`auth method:   ${doc.token_endpoint_auth_method}\n`)
  if (doc.client_secret !== undefined) out.write('\nStore the secret now: Keymint keeps only a hash of it.\n')
  return 0
}
