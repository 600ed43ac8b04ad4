import { table, type Command } from '../command.ts'

/** keymint keys list: each signing key with its state, its dates, and when it activates or leaves the JWKS. */
export const keysList: Command = async ({ admin, options, out }) => {
  const keys = await admin.listKeys()
  if (options.json) {
    out.write(`${JSON.stringify(keys, null, 2)}\n`)
    return 0
  }
  out.write(
    table([
      ['KID', 'STATE', 'ALG', 'CREATED', 'ACTIVATED', 'RETIRED', 'ACTIVATES_AT', 'PUBLISHED_UNTIL'],
      ...keys.map((k) => [
        k.kid,
        k.state,
        k.alg,
        k.created_at,
        k.activated_at ?? '-',
        k.retired_at ?? '-',
        k.activates_at ?? '-',
        k.published_until ?? '-',
      ]),
    ]),
  )
  return 0
}
