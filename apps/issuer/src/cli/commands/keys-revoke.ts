import type { Command } from '../command.ts'

/** keymint keys revoke KID: takes a (compromised) key out of the JWKS now. */
export const keysRevoke: Command = async ({ admin, options, args, out }) => {
  const [kid] = args
  if (kid === undefined) {
    out.write('usage: keymint keys revoke KID\n')
    return 2
  }
  const revocation = await admin.revokeKey(kid)
  if (revocation === undefined) {
    process.stderr.write(`keymint: no key ${kid}\n`)
    return 1
  }
  const { previous_state: previous, activated } = revocation
  if (previous === 'active' || previous === 'retired') {
    process.stderr.write(
      `keymint: warning: tokens signed with ${kid} are now rejected by every resource server once it refetches the JWKS\n`,
    )
  }
  if (options.json) {
    out.write(`${JSON.stringify(revocation, null, 2)}\n`)
    return 0
  }
  if (previous === 'revoked') {
    out.write(`key ${kid} was already revoked\n`)
    return 0
  }
  out.write(`revoked key ${kid} (was ${previous}): removed from the JWKS\n`)
  if (activated !== null) out.write(`key ${activated.kid} is now the signing key\n`)
  return 0
}
