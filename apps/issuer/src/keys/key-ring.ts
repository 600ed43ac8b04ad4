import type { Clock } from '../clock.ts'
import type { KeyStore } from '../storage/ports.ts'
import { readPrivateKey, writePrivateKey } from './key-files.ts'
import { generateSigningKey } from './generate.ts'
import { toJwks, type PublishedJwks } from './jwks.ts'
import { createSigner, type Signer } from './signer.ts'

export type KeyRing = {
  /** The active key, ready to sign. */
  signer(): Signer
  /** The JWKS of every published key, serialized once per change. */
  jwks(): PublishedJwks
  /** Reads the key table again and swaps in what changed. */
  reload(): Promise<void>
}

export type KeyRingDeps = { keyStore: KeyStore; keysDir: string; clock: Clock; modulusLength: number }

/** Loads the keys; on first start (no active key) generates one into KEYS_DIR and records it. */
export async function openKeyRing(deps: KeyRingDeps): Promise<KeyRing> {
  let signer: Signer | undefined
  let jwks: PublishedJwks | undefined

  async function reload(): Promise<void> {
    let keys = await deps.keyStore.list()
    let active = keys.find((key) => key.state === 'active')
    if (active === undefined) {
      const generated = await generateSigningKey(deps.modulusLength, 'active', new Date(deps.clock.now()))
      await writePrivateKey(deps.keysDir, generated.record.kid, generated.privatePem)
      await deps.keyStore.insert(generated.record)
      keys = await deps.keyStore.list()
      active = generated.record
    }
    if (signer?.kid !== active.kid) signer = await createSigner(active.kid, await readPrivateKey(deps.keysDir, active.kid))
    jwks = toJwks(keys)
  }

  await reload()
  return {
    signer: () => signer as Signer,
    jwks: () => jwks as PublishedJwks,
    reload,
  }
}
