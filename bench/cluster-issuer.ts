import cluster from 'node:cluster'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The cluster experiment: the issuer's main.ts in BENCH_WORKERS node:cluster workers sharing one port, started
// one after the other (the first creates the signing key), each with an admin socket of its own.

const workers = Number(process.env.BENCH_WORKERS ?? '2')
const port = Number(process.env.PORT)
const dataDir = process.env.DATA_DIR ?? 'data'

cluster.setupPrimary({ exec: fileURLToPath(new URL('../apps/issuer/src/main.ts', import.meta.url)), execArgv: ['--import', 'tsx'] })

for (let i = 1; i <= workers; i++) {
  const worker = cluster.fork({ ADMIN_SOCKET: join(dataDir, `admin-${i}.sock`) })
  await new Promise<void>((resolve, reject) => {
    worker.on('listening', (address) => {
      if (address.port === port) resolve()
    })
    worker.once('exit', (code) => reject(new Error(`worker ${i} exited with ${code} before listening`)))
  })
}

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  })
}
cluster.on('exit', () => {
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1)
})
