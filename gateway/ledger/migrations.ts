/**
 * Versioned schema migrations, the part both dialects share. Each dialect keeps
 * its own ordered list; `start()` applies the pending ones, each once and in its
 * own transaction, recording it in `schema_migrations`.
 */
import type { AppliedMigration } from './ledger.ts';

export interface Migration {
  /** 1, 2, 3, ... — never renumbered, never edited once released. */
  version: number;
  name: string;
  /** One or more statements, run in the migration's transaction. */
  sql: string;
}

/**
 * Throws when the store cannot be run by this code: a version the code does not
 * know (a newer gateway migrated it, so an older one must not write to it) or a
 * migration recorded under another name (the list was edited after release).
 */
export function checkApplied(applied: readonly AppliedMigration[], known: readonly Migration[]): void {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = byVersion.get(row.version);
    if (migration === undefined) {
      throw new Error(`ledger schema version ${row.version} (${row.name}) is newer than this gateway knows; upgrade the gateway`);
    }
    if (migration.name !== row.name) {
      throw new Error(`ledger migration ${row.version} was applied as ${row.name} but this gateway calls it ${migration.name}`);
    }
  }
}

/** The migrations not applied yet, in version order; checks the list is 1..n. */
export function pending(applied: readonly AppliedMigration[], known: readonly Migration[]): Migration[] {
  known.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list must be numbered 1..n; found ${m.version} at position ${i + 1}`);
  });
  checkApplied(applied, known);
  const done = new Set(applied.map((row) => row.version));
  return known.filter((m) => !done.has(m.version));
}

/** Portable SQL, so both dialects share it; `version` is its place in each list. */
export const apiTokenScopes = (version: number): Migration => ({
  version,
  name: 'api token scopes and ticket QR retrieval secrets',
  sql: `
    -- Tokens made before scopes existed could do everything: they keep doing so as admin.
    ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'admin';
    -- Hash of the one-time secret that fetches a ticket's QR without a token; NULL once used.
    ALTER TABLE issued_tickets ADD COLUMN qr_secret_hash TEXT;`,
});
