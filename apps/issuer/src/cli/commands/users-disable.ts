import type { Command } from '../command.ts'

/** keymint users disable EMAIL_OR_ID: the user can no longer sign in (sessions of theirs stop working too). */
export const usersDisable: Command = async ({ admin, args, out }) => {
  const [ref] = args
  if (ref === undefined) {
    out.write('usage: keymint users disable EMAIL_OR_ID\n')
    return 2
  }
  const user = await admin.disableUser(ref)
  if (user === undefined) {
    process.stderr.write(`keymint: no user ${ref}\n`)
    return 1
  }
  out.write(`disabled user ${user.email} (${user.user_id})\n`)
  return 0
}
