import { sign as cryptoSign, createPrivateKey } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { importPKCS8, SignJWT } from 'jose'
import { accessTokenPayload } from './access-token.ts'

// One thread of the signing ceiling: once told to start, signs Keymint-shaped access tokens for `seconds`,
// `inFlight` at a time, with jose (WebCrypto) or with node:crypto's synchronous sign, and reports the count.

export type SignWorkerData = { pem: string; kid: string; seconds: number; inFlight: number; method: 'jose' | 'crypto' }

const { pem, kid, seconds, inFlight, method } = workerData as SignWorkerData
const issuer = 'http://127.0.0.1:3000'
const clientId = 'Zx3tR0b5lq9UaF1cWm2kNg'
const joseKey = await importPKCS8(pem, 'RS256')
const cryptoKey = createPrivateKey(pem)
const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid })).toString('base64url')

parentPort?.once('message', () => {
  void signFor().then((count) => parentPort?.postMessage(count))
})
parentPort?.postMessage('ready')

async function signFor(): Promise<number> {
  const deadline = performance.now() + seconds * 1000
  let count = 0
  if (method === 'crypto') {
    while (performance.now() < deadline) {
      const input = `${header}.${Buffer.from(JSON.stringify(accessTokenPayload(issuer, clientId))).toString('base64url')}`
      cryptoSign('sha256', Buffer.from(input), cryptoKey)
      count++
    }
    return count
  }
  const lane = async () => {
    while (performance.now() < deadline) {
      await new SignJWT(accessTokenPayload(issuer, clientId)).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(joseKey)
      count++
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  return count
}
