import { InvalidUserInput } from '../../users/user.ts'
import type { Command } from '../command.ts'

/**
 * keymint users create --email EMAIL --password-stdin: the password comes from standard input (one line,
 * e.g. piped from a secret store), never from the command line, where other users and shell history see it.
 */
export const usersCreate: Command = async ({ admin, options, out }) => {
  if (options.email === undefined) throw new InvalidUserInput('--email is required')
  if (options['password-stdin'] !== true) {
    throw new InvalidUserInput('--password-stdin is required: pipe the password in, it is never taken from the command line')
  }
  if (process.stdin.isTTY) process.stderr.write('Password (it will show as you type; prefer piping it in): ')
  const password = await readPassword(process.stdin)
  const user = await admin.createUser({ email: options.email, password })
  if (options.json) {
    out.write(`${JSON.stringify(user, null, 2)}\n`)
    return 0
  }
  out.write(`user_id: ${user.user_id}\nemail:   ${user.email}\nstatus:  ${user.status}\n`)
  return 0
}

/** Everything on standard input up to the first line break. */
async function readPassword(input: AsyncIterable<Buffer | string>): Promise<string> {
  let text = ''
  for await (const chunk of input) {
    text += chunk.toString()
    if (/[\r\n]/.test(text)) break
  }
  return text.split(/\r?\n/)[0] ?? ''
}
