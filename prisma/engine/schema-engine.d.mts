import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm'

/** An adapter factory; one that can close all its connections (MigratePg) is closed after a deploy. */
export type MigrationAdapterFactory = SqlMigrationAwareDriverAdapterFactory & { disposeAll?(): Promise<void> }

export interface DeployMigrationsOptions {
  /** Defaults to prisma/schema.prisma of this repository. */
  schemaPath?: string
  /** Defaults to prisma/migrations of this repository. */
  migrationsDir?: string
}

/** The wasm engine's commit hash. */
export declare function engineVersion(): string

/** `schemas`: [file name, Prisma schema text] pairs, or undefined (never an empty list). */
export declare function openEngine(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schemas: Array<[string, string]> | undefined,
): Promise<SchemaEngine>

export declare function readMigrations(dir?: string): MigrationList

/** `prisma migrate deploy` in-process; resolves to the names of the migrations it applied. */
export declare function deployMigrations(
  factory: MigrationAdapterFactory,
  options?: DeployMigrationsOptions,
): Promise<string[]>
