/**
 * The PostgreSQL schema as migrations (see migrations.ts). BIGINT for seqs and
 * times (Unix ms outgrow INTEGER); JSONB for the JSON columns so they can be
 * queried. Keep in step with sqlite-schema.ts: same tables, columns and indexes.
 */
import type { Migration } from './migrations.ts';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'journal records and device progress',
    sql: `
      -- The full record as JSON keeps fields added later; the columns beside it are
      -- what queries filter on. The primary key (device, seq) is the exactly-once key.
      CREATE TABLE records (
        device TEXT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        at BIGINT NOT NULL,
        station TEXT NOT NULL,
        ticket_id TEXT,
        decision TEXT,
        reason TEXT,
        record JSONB NOT NULL,
        PRIMARY KEY (device, seq)
      );
      CREATE INDEX records_at ON records (at);
      CREATE INDEX records_station_at ON records (station, at);
      CREATE INDEX records_ticket_at ON records (ticket_id, at) WHERE ticket_id IS NOT NULL;
      -- Written in the ingest transaction: the watermark acks are made of.
      CREATE TABLE device_progress (
        device TEXT PRIMARY KEY,
        contiguous_through BIGINT NOT NULL DEFAULT 0,
        highest_seq BIGINT NOT NULL DEFAULT 0,
        updated_at BIGINT NOT NULL
      );`,
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
        created_at BIGINT NOT NULL,
        state JSONB NOT NULL
      );
      CREATE TABLE bundles (
        type TEXT NOT NULL,
        version BIGINT NOT NULL,
        bytes BYTEA NOT NULL,
        published_at BIGINT NOT NULL,
        PRIMARY KEY (type, version)
      );
      CREATE TABLE issued_tickets (
        ticket_id TEXT PRIMARY KEY,
        product TEXT NOT NULL,
        fare_class TEXT NOT NULL,
        zones JSONB NOT NULL,
        modes JSONB NOT NULL,
        nbf BIGINT NOT NULL,
        exp BIGINT NOT NULL,
        holder_key_hex TEXT,
        text TEXT NOT NULL,
        issued_at BIGINT NOT NULL
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL
      );`,
  },
  {
    version: 3,
    name: 'fares and settlements',
    sql: `
      CREATE TABLE fares (
        tap_device TEXT NOT NULL,
        tap_seq BIGINT NOT NULL,
        amount_cents BIGINT NOT NULL,
        currency TEXT NOT NULL,
        operator TEXT NOT NULL,
        computed_at BIGINT NOT NULL,
        PRIMARY KEY (tap_device, tap_seq),
        FOREIGN KEY (tap_device, tap_seq) REFERENCES records (device, seq)
      );
      CREATE INDEX fares_operator ON fares (operator, currency);
      CREATE TABLE settlements (
        id TEXT PRIMARY KEY,
        operator TEXT NOT NULL,
        currency TEXT NOT NULL,
        period_start BIGINT NOT NULL,
        period_end BIGINT NOT NULL,
        total_cents BIGINT NOT NULL,
        fare_count BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );`,
  },
  {
    version: 4,
    name: 'declared losses and seq conflicts',
    sql: `
      CREATE TABLE declared_losses (
        device TEXT NOT NULL,
        declared_seq BIGINT NOT NULL,
        from_seq BIGINT NOT NULL,
        to_seq BIGINT NOT NULL,
        reason TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (device, declared_seq)
      );
      CREATE INDEX declared_losses_from ON declared_losses (device, from_seq);
      CREATE TABLE record_conflicts (
        device TEXT NOT NULL,
        seq BIGINT NOT NULL,
        digest TEXT NOT NULL,
        record JSONB NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (device, seq, digest)
      );
      CREATE INDEX record_conflicts_received ON record_conflicts (received_at);`,
  },
];
