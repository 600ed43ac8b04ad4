import type { Command } from '../command.ts'

/** keymint clients delete CLIENT_ID */
export const clientsDelete: Command = async ({ admin, args, out }) => {
  const [id] = args
  if (id === undefined) {
    out.write('usage: keymint clients delete CLIENT_ID\n')
    return 2
  }
  if (!(await admin.deleteClient(id))) {
    process.stderr.write(`keymint: no client ${id}\n`)
    return 1
  }
  out.write(`deleted client ${id}\n`)
  return 0
}
