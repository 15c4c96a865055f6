/**
 * The SQLite schema as migrations (see migrations.ts). STRICT tables make SQLite
 * refuse a value of the wrong type instead of storing it. Keep in step with
 * postgres-schema.ts: same tables, columns and indexes.
 */
import type { Migration } from './migrations.ts';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'journal records and device progress',
    sql: `
      -- The full record as JSON keeps fields added later; the columns beside it are
      -- what queries filter on. The primary key (device, seq) is the exactly-once key.
      CREATE TABLE records (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        station TEXT NOT NULL,
        ticket_id TEXT,
        decision TEXT,
        reason TEXT,
        record TEXT NOT NULL,
        PRIMARY KEY (device, seq)
      ) STRICT;
      CREATE INDEX records_at ON records (at);
      CREATE INDEX records_station_at ON records (station, at);
      CREATE INDEX records_ticket_at ON records (ticket_id, at) WHERE ticket_id IS NOT NULL;
      -- Written in the ingest transaction: the watermark acks are made of.
      CREATE TABLE device_progress (
        device TEXT PRIMARY KEY,
        contiguous_through INTEGER NOT NULL DEFAULT 0,
        highest_seq INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      ) STRICT;`,
  },
  {
    version: 2,
    name: 'devices, bundles, issued tickets and api tokens',
    sql: `
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        station TEXT NOT NULL,
        zone INTEGER NOT NULL,
        mode TEXT NOT NULL,
        direction TEXT NOT NULL,
        credential_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL
      ) STRICT;
      CREATE TABLE bundles (
        type TEXT NOT NULL,
        version INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        published_at INTEGER NOT NULL,
        PRIMARY KEY (type, version)
      ) STRICT;
      CREATE TABLE issued_tickets (
        ticket_id TEXT PRIMARY KEY,
        product TEXT NOT NULL,
        fare_class TEXT NOT NULL,
        zones TEXT NOT NULL,
        modes TEXT NOT NULL,
        nbf INTEGER NOT NULL,
        exp INTEGER NOT NULL,
        holder_key_hex TEXT,
        text TEXT NOT NULL,
        issued_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      ) STRICT;`,
  },
  {
    version: 3,
    name: 'fares and settlements',
    sql: `
      CREATE TABLE fares (
        tap_device TEXT NOT NULL,
        tap_seq INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        operator TEXT NOT NULL,
        computed_at INTEGER NOT NULL,
        PRIMARY KEY (tap_device, tap_seq),
        FOREIGN KEY (tap_device, tap_seq) REFERENCES records (device, seq)
      ) STRICT;
      CREATE INDEX fares_operator ON fares (operator, currency);
      CREATE TABLE settlements (
        id TEXT PRIMARY KEY,
        operator TEXT NOT NULL,
        currency TEXT NOT NULL,
        period_start INTEGER NOT NULL,
        period_end INTEGER NOT NULL,
        total_cents INTEGER NOT NULL,
        fare_count INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;`,
  },
  {
    version: 4,
    name: 'declared losses and seq conflicts',
    sql: `
      -- A gate's declaration (a 'loss' record, kept in records too) that seqs
      -- from_seq..to_seq will never come: the watermark moves over them and they are
      -- shown apart from open gaps.
      CREATE TABLE declared_losses (
        device TEXT NOT NULL,
        declared_seq INTEGER NOT NULL,
        from_seq INTEGER NOT NULL,
        to_seq INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (device, declared_seq)
      ) STRICT;
      CREATE INDEX declared_losses_from ON declared_losses (device, from_seq);
      -- Records refused because their (device, seq) is stored with other content: kept
      -- beside the stored one for an operator, each distinct content once.
      CREATE TABLE record_conflicts (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        digest TEXT NOT NULL,
        record TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device, seq, digest)
      ) STRICT;
      CREATE INDEX record_conflicts_received ON record_conflicts (received_at);`,
  },
];
