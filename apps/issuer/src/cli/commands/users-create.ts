import { InvalidUserInput } from '../../users/user.ts'
import type { Command } from '../command.ts'

/**
 * keymint users create --email EMAIL --password-stdin: the password comes from standard input (one line,
 * e.g. piped from a secret store; typed at a terminal, it is not echoed), never from the command line, where
 * other users and shell history see it.
 */
export const usersCreate: Command = async ({ admin, options, out }) => {
  if (options.email === undefined) throw new InvalidUserInput('--email is required')
  if (options['password-stdin'] !== true) {
    throw new InvalidUserInput('--password-stdin is required: pipe the password in, it is never taken from the command line')
  }
  const password = process.stdin.isTTY ? await readHidden(process.stdin) : await readPassword(process.stdin)
  const user = await admin.createUser({ email: options.email, password })
  if (options.json) {
    out.write(`${JSON.stringify(user, null, 2)}\n`)
    return 0
  }
  out.write(`user_id: ${user.user_id}\nemail:   ${user.email}\nstatus:  ${user.status}\n`)
  return 0
}

/** Typed at a terminal: nothing is echoed; Enter ends it, Backspace erases, Ctrl-C or Ctrl-D cancels. */
function readHidden(input: NodeJS.ReadStream): Promise<string> {
  input.setRawMode(true)
  process.stderr.write('Password: ')
  input.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    let typed: string[] = []
    const finish = () => {
      input.setRawMode(false)
      input.off('data', onData)
      input.pause()
      process.stderr.write('\n')
    }
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n') return (finish(), resolve(typed.join('')))
        if (c === '\u0003' || c === '\u0004') return (finish(), reject(new InvalidUserInput('cancelled: no user created')))
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1)
        else if (c >= ' ') typed.push(c)
      }
    }
    input.on('data', onData)
    input.resume()
  })
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
