import type { Client, NewClient } from '../clients/client.ts'
import type { KeyChange, KeyRecord } from '../keys/key-record.ts'
import type { NewRefreshToken, RefreshTokenRecord } from '../refresh-tokens/refresh-token.ts'
import type { NewUser, User, UserStatus } from '../users/user.ts'

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

export interface UserStore {
  /** Throws InvalidUserInput (users/user.ts) when the e-mail address is taken. */
  insert(user: NewUser): Promise<User>
  /** Case-insensitive: the address is normalized (users/user.ts normalizeEmail) before the lookup. */
  findByEmail(email: string): Promise<User | undefined>
  findById(id: string): Promise<User | undefined>
  list(): Promise<User[]>
  /** False when there is no such user. */
  setStatus(id: string, status: UserStatus): Promise<boolean>
}

/** The scopes each user has granted each client on the consent screen. */
export interface ConsentStore {
  find(userId: string, clientId: string): Promise<string[] | undefined>
  /** Adds the scopes to what the user has already granted the client. */
  grant(userId: string, clientId: string, scopes: string[]): Promise<void>
}

export interface KeyStore {
  list(): Promise<KeyRecord[]>
  /**
   * Reads the keys and applies the changes `decide` returns for them, in one transaction that holds a lock
   * every caller on the same database takes: of several instances deciding at once, each sees what the one
   * before it did. Never leaves more than one active key. Returns the keys afterwards.
   */
  transition(decide: (keys: KeyRecord[]) => KeyChange[]): Promise<KeyRecord[]>
}

export type RotateRequest = {
  /** The presented token's hash. */
  hash: string
  clientId: string
  /** Scopes the presented token must hold (narrowing on refresh); empty asks for none in particular. */
  scopes: string[]
  /** Audiences the presented token must hold; empty asks for none in particular. */
  audiences: string[]
  now: Date
  /** When set, a token spent after this instant may be rotated again (reuse grace window), unless a child of it has been used. */
  graceSince: Date | null
  /** The child: its hash and idle expiry (capped at the family's absolute expiry by the store). */
  next: { hash: string; expiresAt: Date }
}

/** Refresh tokens, durably, by hash. PostgreSQL alone decides whether a token is live. */
export interface RefreshTokenStore {
  insert(token: NewRefreshToken): Promise<void>
  /**
   * In one atomic statement: marks the presented token used, only if it is of this client, holds the asked
   * scopes and audiences, is unused (or within the grace window), unrevoked and unexpired, and inserts its
   * child. Returns the child, or undefined when nothing was spent.
   */
  rotate(request: RotateRequest): Promise<RefreshTokenRecord | undefined>
  findByHash(hash: string): Promise<RefreshTokenRecord | undefined>
  /** Revokes every unrevoked token of the family; returns how many. */
  revokeFamily(familyId: string, at: Date): Promise<number>
  /** Deletes up to `limit` expired tokens, or revoked before `revokedBefore`; returns how many. */
  purge(input: { now: Date; revokedBefore: Date; limit: number }): Promise<number>
}

/**
 * Revoked access tokens by jti, durably, until they would have expired anyway: the source of truth behind
 * the denylist that the ephemeral store serves (tokens/denylist.ts).
 */
export interface RevokedAccessTokenStore {
  /** Records a revocation; recording the same jti again is not an error. */
  insert(jti: string, expiresAt: Date): Promise<void>
  /** True when the jti was revoked and its token has not expired by `now`. */
  isRevoked(jti: string, now: Date): Promise<boolean>
  /** Up to `limit` revocations of tokens unexpired at `now`, in jti order after `afterJti`. */
  listLive(input: { now: Date; afterJti: string | undefined; limit: number }): Promise<{ jti: string; expiresAt: Date }[]>
  /** Deletes up to `limit` revocations of tokens expired by `now`; returns how many. */
  purge(input: { now: Date; limit: number }): Promise<number>
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
  users: UserStore
  consents: ConsentStore
  keys: KeyStore
  ephemeral: EphemeralStore
  audit: AuditLog
  refreshTokens: RefreshTokenStore
  revokedAccessTokens: RevokedAccessTokenStore
  close(): Promise<void>
}
