/**
 * The PostgreSQL schema as migrations (see migrations.ts). BIGINT for seqs and
 * times (Unix ms outgrow INTEGER); JSONB for the JSON columns so they can be
 * queried. Keep in step with sqlite-schema.ts: same tables, columns and indexes.
 */
import { apiTokenScopes, type Migration } from './migrations.ts';

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
  {
    version: 5,
    name: 'fare clearing: ratings, charges, ticket uses, late arrivals',
    sql: `
      -- A rating is never edited: a re-rating is the next version (clearing-store.ts).
      CREATE TABLE fare_ratings (
        account TEXT NOT NULL,
        service_day TEXT NOT NULL,
        version INTEGER NOT NULL,
        rated_at BIGINT NOT NULL,
        reason TEXT NOT NULL,
        total_minor BIGINT NOT NULL,
        currency TEXT NOT NULL,
        flags JSONB NOT NULL,
        PRIMARY KEY (account, service_day, version)
      );
      CREATE INDEX fare_ratings_day ON fare_ratings (service_day);
      CREATE TABLE fare_charges (
        account TEXT NOT NULL,
        service_day TEXT NOT NULL,
        version INTEGER NOT NULL,
        leg_index INTEGER NOT NULL,
        network TEXT NOT NULL,
        agency TEXT NOT NULL,
        from_stop TEXT,
        to_stop TEXT,
        start_at BIGINT NOT NULL,
        end_at BIGINT,
        status TEXT NOT NULL,
        fare_product_id TEXT,
        category TEXT NOT NULL,
        base_minor BIGINT NOT NULL,
        charge_minor BIGINT NOT NULL,
        currency TEXT NOT NULL,
        sub_journey INTEGER,
        explain JSONB NOT NULL,
        taps JSONB NOT NULL,
        PRIMARY KEY (account, service_day, version, leg_index),
        FOREIGN KEY (account, service_day, version) REFERENCES fare_ratings (account, service_day, version)
      );
      -- Accepted taps of singles and passes: what pass revenue is apportioned by.
      CREATE TABLE ticket_uses (
        device TEXT NOT NULL,
        seq BIGINT NOT NULL,
        ticket_id TEXT NOT NULL,
        product TEXT NOT NULL,
        at BIGINT NOT NULL,
        service_day TEXT NOT NULL,
        direction TEXT NOT NULL,
        stop TEXT NOT NULL,
        network TEXT NOT NULL,
        agency TEXT NOT NULL,
        PRIMARY KEY (device, seq)
      );
      CREATE INDEX ticket_uses_ticket ON ticket_uses (ticket_id, at);
      CREATE INDEX ticket_uses_day ON ticket_uses (service_day);
      CREATE TABLE late_arrivals (
        device TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (device, seq)
      );
      CREATE INDEX late_arrivals_at ON late_arrivals (at);
      -- The gate's place in the fare feed; NULL: its station and mode are the stop_id and network_id.
      ALTER TABLE devices ADD COLUMN stop_id TEXT;
      ALTER TABLE devices ADD COLUMN network_id TEXT;
      -- What an issued single or pass was sold as, so its revenue can be apportioned.
      ALTER TABLE issued_tickets ADD COLUMN fare_product_id TEXT;
      ALTER TABLE issued_tickets ADD COLUMN price_minor BIGINT;
      ALTER TABLE issued_tickets ADD COLUMN currency TEXT;`,
  },
  apiTokenScopes(6),
];
