import { table, type Command } from '../command.ts'

/** keymint clients list */
export const clientsList: Command = async ({ admin, options, out }) => {
  const clients = await admin.listClients()
  if (options.json) {
    out.write(`${JSON.stringify(clients, null, 2)}\n`)
    return 0
  }
  out.write(
    table([
      ['CLIENT_ID', 'NAME', 'GRANT_TYPES', 'SCOPE', 'AUTH_METHOD'],
      ...clients.map((c) => [c.client_id, c.client_name, c.grant_types.join(','), c.scope, c.token_endpoint_auth_method]),
    ]),
  )
  return 0
}
