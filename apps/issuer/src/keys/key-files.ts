import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// Private key material stays on disk in KEYS_DIR, one PKCS#8 PEM per key, readable by the owner only.
// The database holds each key's public half and state; every issuer instance shares KEYS_DIR.

export function privateKeyPath(keysDir: string, kid: string): string {
  return join(keysDir, `${kid}.private.pem`)
}

export async function writePrivateKey(keysDir: string, kid: string, pem: string): Promise<void> {
  await mkdir(keysDir, { recursive: true, mode: 0o700 })
  await writeFile(privateKeyPath(keysDir, kid), pem, { mode: 0o600, flag: 'wx' })
}

/** Removes a private key that was written but never recorded (another instance recorded its own first). */
export async function removePrivateKey(keysDir: string, kid: string): Promise<void> {
  await rm(privateKeyPath(keysDir, kid), { force: true })
}

export async function readPrivateKey(keysDir: string, kid: string): Promise<string> {
  try {
    return await readFile(privateKeyPath(keysDir, kid), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`signing key ${kid} is active but ${privateKeyPath(keysDir, kid)} is missing`)
    }
    throw error
  }
}

/** A secret of 32 random bytes kept in a file of its own, created on first use. */
export async function readOrCreateSecretFile(keysDir: string, name: string, create: () => string): Promise<string> {
  const path = join(keysDir, name)
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(keysDir, { recursive: true, mode: 0o700 })
  try {
    await writeFile(path, `${create()}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  return (await readFile(path, 'utf8')).trim()
}
