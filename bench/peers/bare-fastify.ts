import Fastify from 'fastify'

// The ceiling for the JWKS row: Fastify 5 with no logger and no plugins, answering one GET with a static
// JSON string of the same size as Keymint's JWKS (BODY). Started as a child process by the harness.

const body = process.env.BODY ?? '{}'
const app = Fastify({ logger: false })
app.get('/static.json', (_request, reply) => {
  reply.type('application/json; charset=utf-8').send(body)
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0))
})
