/**
 * The SQLite schema as migrations (see migrations.ts). STRICT tables make SQLite
 * refuse a value of the wrong type instead of storing it. Keep in step with
 * postgres-schema.ts: same tables, columns and indexes.
 */
import { apiTokenScopes, type Migration } from './migrations.ts';

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
  {
    version: 5,
    name: 'fare clearing: ratings, charges, ticket uses, late arrivals',
    sql: `
      -- A rating is never edited: a re-rating is the next version (clearing-store.ts).
      CREATE TABLE fare_ratings (
        account TEXT NOT NULL,
        service_day TEXT NOT NULL,
        version INTEGER NOT NULL,
        rated_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        total_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        flags TEXT NOT NULL,
        PRIMARY KEY (account, service_day, version)
      ) STRICT;
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
        start_at INTEGER NOT NULL,
        end_at INTEGER,
        status TEXT NOT NULL,
        fare_product_id TEXT,
        category TEXT NOT NULL,
        base_minor INTEGER NOT NULL,
        charge_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        sub_journey INTEGER,
        explain TEXT NOT NULL,
        taps TEXT NOT NULL,
        PRIMARY KEY (account, service_day, version, leg_index),
        FOREIGN KEY (account, service_day, version) REFERENCES fare_ratings (account, service_day, version)
      ) STRICT;
      -- Accepted taps of singles and passes: what pass revenue is apportioned by.
      CREATE TABLE ticket_uses (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ticket_id TEXT NOT NULL,
        product TEXT NOT NULL,
        at INTEGER NOT NULL,
        service_day TEXT NOT NULL,
        direction TEXT NOT NULL,
        stop TEXT NOT NULL,
        network TEXT NOT NULL,
        agency TEXT NOT NULL,
        PRIMARY KEY (device, seq)
      ) STRICT;
      CREATE INDEX ticket_uses_ticket ON ticket_uses (ticket_id, at);
      CREATE INDEX ticket_uses_day ON ticket_uses (service_day);
      CREATE TABLE late_arrivals (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device, seq)
      ) STRICT;
      CREATE INDEX late_arrivals_at ON late_arrivals (at);
      -- The gate's place in the fare feed; NULL: its station and mode are the stop_id and network_id.
      ALTER TABLE devices ADD COLUMN stop_id TEXT;
      ALTER TABLE devices ADD COLUMN network_id TEXT;
      -- What an issued single or pass was sold as, so its revenue can be apportioned.
      ALTER TABLE issued_tickets ADD COLUMN fare_product_id TEXT;
      ALTER TABLE issued_tickets ADD COLUMN price_minor INTEGER;
      ALTER TABLE issued_tickets ADD COLUMN currency TEXT;`,
  },
  apiTokenScopes(6),
];
