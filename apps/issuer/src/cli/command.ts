import type { AdminConnection } from './admin-connection.ts'

export type CommandOptions = {
  name?: string | undefined
  'grant-types'?: string | undefined
  scopes?: string | undefined
  audience?: string | undefined
  'auth-method'?: string | undefined
  'redirect-uris'?: string | undefined
  public?: boolean | undefined
  'first-party'?: boolean | undefined
  'refresh-cookie'?: boolean | undefined
  'allowed-origins'?: string | undefined
  email?: string | undefined
  'password-stdin'?: boolean | undefined
  json: boolean
}

export type Command = (input: {
  admin: AdminConnection
  options: CommandOptions
  args: string[]
  out: { write(text: string): unknown }
}) => Promise<number>

/** Prints rows as an aligned table. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? []
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n'
}

export function list(value: string | undefined): string[] {
  return (value ?? '').split(/[,\s]+/).filter((v) => v !== '')
}
