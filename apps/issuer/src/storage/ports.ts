import type { Client, NewClient } from '../clients/client.ts'
import type { KeyRecord, KeyState } from '../keys/key-record.ts'

// The narrow interfaces the domain needs from storage. Durable state (clients, keys) lives in PostgreSQL
// through Prisma (PGlite in the embedded default); short-lived state lives in the ephemeral store
// (Redis, or its in-process twin in the embedded default). Backends implement these and nothing more.

export interface ClientStore {
  insert(client: NewClient): Promise<Client>
  findById(id: string): Promise<Client | undefined>
  list(): Promise<Client[]>
  delete(id: string): Promise<boolean>
  /** Every scope some client may request, for the metadata's scopes_supported. */
  scopesInUse(): Promise<string[]>
}

export interface KeyStore {
  list(): Promise<KeyRecord[]>
  insert(key: KeyRecord): Promise<void>
  setState(kid: string, state: KeyState, at: Date): Promise<void>
}

/** Short-lived values with a time to live. Every operation is atomic on its own. */
export interface EphemeralStore {
  put(key: string, value: string, ttlMs: number): Promise<void>
  /** Stores only if the key is absent; true when it stored. */
  putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>
  get(key: string): Promise<string | undefined>
  /** Reads and deletes in one step: of several concurrent takers, exactly one gets the value. */
  take(key: string): Promise<string | undefined>
  delete(key: string): Promise<void>
  /** Adds one and returns the new count; the time to live starts with the first increment. */
  increment(key: string, ttlMs: number): Promise<number>
  ping(): Promise<void>
  close(): Promise<void>
}

export type AuditEvent = {
  /** A stable dotted name, e.g. refresh_token.reuse_detected (see events.ts). */
  type: string
  clientId?: string | undefined
  userId?: string | undefined
  detail?: Record<string, unknown> | undefined
}

/** Security events, kept durably in PostgreSQL. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>
  list(type?: string): Promise<(AuditEvent & { createdAt: Date })[]>
}

export interface Database {
  ping(): Promise<void>
  close(): Promise<void>
}

export type Stores = {
  mode: 'embedded' | 'external'
  database: Database
  clients: ClientStore
  keys: KeyStore
  ephemeral: EphemeralStore
  audit: AuditLog
  close(): Promise<void>
}
