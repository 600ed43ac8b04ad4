import pg from 'pg'

/** The PostgreSQL NOTIFY channel a committed key transition signals on (key-store.ts). */
export const KEY_CHANGES_CHANNEL = 'keymint_signing_keys'

export type KeyChangeWatch = { close(): Promise<void> }

/**
 * Calls `onChange` whenever a key transition commits on the database at `databaseUrl`, through any instance
 * or the CLI: one dedicated connection LISTENs for the transition's NOTIFY. It also calls `onChange` each
 * time it (re)connects, since changes made while it was away were not heard. A lost connection is retried
 * every `retrySeconds`; meanwhile the periodic reload (KEY_REFRESH_SECONDS) still bounds how late a change
 * arrives, so the listener only makes changes arrive sooner.
 */
export function watchKeyChanges(
  databaseUrl: string,
  onChange: () => void,
  options: { retrySeconds: number; onError(error: unknown): void },
): KeyChangeWatch {
  let closed = false
  let current: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined

  const connect = async (): Promise<void> => {
    retry = undefined
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'keymint key watch' })
    let dropped = false
    const drop = (error?: unknown) => {
      if (dropped) return
      dropped = true
      if (current === client) current = undefined
      client.end().catch(() => {})
      if (closed) return
      if (error !== undefined) options.onError(error)
      retry = setTimeout(() => void connect(), options.retrySeconds * 1000)
      retry.unref()
    }
    client.on('notification', (message) => {
      if (message.channel === KEY_CHANGES_CHANNEL) onChange()
    })
    client.on('error', drop)
    client.on('end', () => drop())
    try {
      await client.connect()
      await client.query(`LISTEN ${KEY_CHANGES_CHANNEL}`)
    } catch (error) {
      drop(error)
      return
    }
    if (closed) {
      drop()
      return
    }
    current = client
    onChange()
  }

  void connect()
  return {
    async close() {
      closed = true
      if (retry !== undefined) clearTimeout(retry)
      const client = current
      current = undefined
      await client?.end().catch(() => {})
    },
  }
}
