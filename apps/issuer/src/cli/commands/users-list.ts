import { table, type Command } from '../command.ts'

/** keymint users list */
export const usersList: Command = async ({ admin, options, out }) => {
  const users = await admin.listUsers()
  if (options.json) {
    out.write(`${JSON.stringify(users, null, 2)}\n`)
    return 0
  }
  out.write(table([['USER_ID', 'EMAIL', 'STATUS', 'CREATED'], ...users.map((u) => [u.user_id, u.email, u.status, u.created_at])]))
  return 0
}
