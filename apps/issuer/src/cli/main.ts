import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config.ts'
import { InvalidClientMetadata } from '../clients/register.ts'
import { AdminError, connectAdmin } from './admin-connection.ts'
import { clientsCreate } from './commands/clients-create.ts'
import { clientsDelete } from './commands/clients-delete.ts'
import { clientsList } from './commands/clients-list.ts'
import { dbMigrate } from './commands/db-migrate.ts'
import { usersCreate } from './commands/users-create.ts'
import { usersDisable } from './commands/users-disable.ts'
import { usersList } from './commands/users-list.ts'
import { keysList } from './commands/keys-list.ts'
import { keysRevoke } from './commands/keys-revoke.ts'
import { keysRotate } from './commands/keys-rotate.ts'
import type { Command } from './command.ts'
import { InvalidUserInput } from '../users/user.ts'

const USAGE = `usage: keymint <noun> <verb> [options]

  clients create --name NAME --grant-types LIST --scopes "A B" --audience URI[,URI] [--auth-method METHOD]
                 [--redirect-uris LIST] [--public] [--first-party] [--json]
                 (with --redirect-uris the grant type defaults to authorization_code; --public: no secret, PKCE only)
                 [--refresh-cookie --allowed-origins ORIGIN[,ORIGIN]]
                 (browser mode: the refresh token in an HttpOnly cookie, token requests only from these origins)
  clients list [--json]
  clients delete CLIENT_ID
  users create --email EMAIL --password-stdin [--json]     (the password is read from standard input)
  users list [--json]
  users disable EMAIL_OR_ID
  keys list [--json]
  keys rotate [--json]
  keys revoke KID [--json]
  db migrate

The same environment variables as the issuer apply (DATABASE_URL, REDIS_URL, DATA_DIR, KEYS_DIR, ADMIN_SOCKET).
While an issuer runs, commands go through its admin socket; otherwise they open the storage directly.`

const COMMANDS: Record<string, Command> = {
  'clients create': clientsCreate,
  'clients list': clientsList,
  'clients delete': clientsDelete,
  'users create': usersCreate,
  'users list': usersList,
  'users disable': usersDisable,
  'keys list': keysList,
  'keys rotate': keysRotate,
  'keys revoke': keysRevoke,
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'grant-types': { type: 'string' },
      scopes: { type: 'string' },
      audience: { type: 'string' },
      'auth-method': { type: 'string' },
      'redirect-uris': { type: 'string' },
      public: { type: 'boolean' },
      'first-party': { type: 'boolean' },
      'refresh-cookie': { type: 'boolean' },
      'allowed-origins': { type: 'string' },
      email: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [noun, verb, ...rest] = positionals
  if (values.help || noun === undefined) {
    process.stdout.write(`${USAGE}\n`)
    return values.help ? 0 : 2
  }
  const config = loadConfig(process.env)
  if (noun === 'db' && verb === 'migrate') return dbMigrate(config)
  const command = COMMANDS[`${noun} ${verb}`]
  if (command === undefined) {
    process.stderr.write(`keymint: unknown command "${positionals.join(' ')}"\n${USAGE}\n`)
    return 2
  }
  const admin = await connectAdmin(config)
  try {
    return await command({ admin, options: values, args: rest, out: process.stdout })
  } finally {
    await admin.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const known =
      error instanceof ConfigError || error instanceof InvalidClientMetadata || error instanceof InvalidUserInput || error instanceof AdminError
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`keymint: ${known ? message : `failed: ${message}`}\n`)
    process.exitCode = known || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1
  },
)
