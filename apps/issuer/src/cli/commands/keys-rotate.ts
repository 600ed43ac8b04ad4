import type { Command } from '../command.ts'

/** keymint keys rotate: stages a new signing key now; it signs once every resource server can have it. */
export const keysRotate: Command = async ({ admin, options, out }) => {
  const key = await admin.rotateKey()
  if (options.json) {
    out.write(`${JSON.stringify(key, null, 2)}\n`)
    return 0
  }
  out.write(`staged key ${key.kid}\n`)
  out.write(`published in the JWKS now; signs from ${key.activates_at ?? 'its activation'} (the current key then retires)\n`)
  return 0
}
