import { createServer } from 'node:net'

// Imports nothing of Keymint, so that bench/ can use it too without loading the app.

/** A loopback port the kernel just gave out, so a server's URL is known before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}
