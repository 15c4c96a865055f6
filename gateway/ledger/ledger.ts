/**
 * The gateway's ledger: the durable store behind the delivery guarantee
 * (architecture.md, "every tap is cleared exactly once") and the gateway's own
 * tables. Two implementations (SQLite by default, PostgreSQL at scale) pass one
 * contract suite (`ledger-contract.ts`), so callers depend on this file only.
 *
 * Times are Unix milliseconds unless a field says otherwise.
 */
import type { Direction, JournalRecord, LossReason } from '../../protocol/uplink/tap-record.ts';
import type { FareClass, Mode, Product } from '../../protocol/ticket/claims.ts';
import type { ClearingStore } from './clearing-store.ts';

/** What one uplink batch did to the ledger: the gateway acks `highestContiguous`. */
export interface IngestResult {
  /** Records of the batch that were new. */
  inserted: number;
  /** Records already stored with the same content (a re-sent batch) — no-ops. */
  duplicates: number;
  /**
   * Seqs of the batch refused because the ledger holds that (device, seq) with other
   * content: the stored record stays, the refused one is kept in `conflicts()`.
   */
  conflicts: number[];
  /** The device's seq through which every record 1..n is committed (0: none). */
  highestContiguous: number;
}

/** One uplink batch: every record must carry `device`. */
export interface DeviceBatch {
  device: string;
  records: JournalRecord[];
}

/** A gate's declaration that seqs fromSeq..toSeq (inclusive) will never be delivered. */
export interface DeclaredLoss {
  device: string;
  fromSeq: number;
  toSeq: number;
  reason: LossReason;
  /** The seq of the loss record that declared it. */
  declaredSeq: number;
  /** Gate time of the declaration. */
  at: number;
}

/** A record refused because its (device, seq) was already stored with other content. */
export interface RecordConflict {
  device: string;
  seq: number;
  /** What the ledger holds (and clears) under that key. */
  stored: JournalRecord;
  /** What the device sent later. */
  refused: JournalRecord;
  receivedAt: number;
}

/**
 * A missing, inclusive range of sequence numbers of one device: still to come, as no
 * declared loss covers it.
 */
export interface SeqGap {
  device: string;
  fromSeq: number;
  toSeq: number;
}

export interface DeviceProgress {
  device: string;
  /** Every seq 1..contiguousThrough is committed; 0 when seq 1 is missing. */
  contiguousThrough: number;
  /** The highest seq committed; above contiguousThrough there are gaps. */
  highestSeq: number;
  /** When an ingest last touched the device; null for a device never seen. */
  updatedAt: number | null;
}

/**
 * A page of journal records. With `device`, records come in seq order (what a
 * clearing consumer replays); otherwise in gate-time order (at, device, seq).
 */
export interface TapQuery {
  device?: string;
  station?: string;
  ticketId?: string;
  kind?: JournalRecord['kind'];
  /** Gate time, inclusive. */
  from?: number;
  /** Gate time, exclusive. */
  until?: number;
  /** Only records with a larger seq; needs `device`. */
  afterSeq?: number;
  /** `nextCursor` of the previous page of the same query. */
  cursor?: string;
  /** 1 to 10,000. */
  limit: number;
}

export interface TapPage {
  records: JournalRecord[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

/** What the gateway last heard from a device (telemetry), kept as JSON. */
export interface DeviceState {
  online: boolean;
  lastSeen: number | null;
  /** Bundle type → version the device holds. */
  bundleVersions: Record<string, number>;
  /** Journal records the device has not had acked. */
  backlog: number;
  clockAnchored: boolean;
}

export interface Device {
  id: string;
  station: string;
  zone: number;
  mode: Mode;
  direction: Direction;
  /** The GTFS stop_id of the gate's station for fare clearing; absent: the station id itself. */
  fareStop?: string;
  /** The GTFS network_id of the gate for fare clearing; absent: its mode. */
  fareNetwork?: string;
  /** Hash of the device's credential; the caller hashes, the ledger never sees secrets. */
  credentialHash: string;
  createdAt: number;
  state: DeviceState;
}

/** A signed bundle as published to the fleet. */
export interface PublishedBundle {
  type: string;
  version: number;
  /** The COSE_Sign1 bytes, exactly as signed. */
  bytes: Uint8Array;
  publishedAt: number;
}

/** A ticket the gateway issued (for disputes and refunds). */
export interface StoredTicket {
  ticketId: string;
  product: Product;
  fareClass: FareClass;
  zones: number[];
  modes: Mode[];
  /** Unix seconds, as in the ticket's claims. */
  nbf: number;
  /** Unix seconds, as in the ticket's claims. */
  exp: number;
  holderKeyHex?: string;
  /** The ticket code as text (what the QR carries). */
  text: string;
  issuedAt: number;
  /** The fare product it was sold as (the fare feed's fare_product_id), when priced. */
  fareProductId?: string;
  /** Its price in minor units of `currency`, when priced. */
  priceMinor?: number;
  currency?: string;
  /**
   * Hash of the one-time secret that lets a rider fetch the ticket's QR without
   * an API token; absent once used (or for tickets issued before it existed).
   */
  qrSecretHash?: string;
}

export interface ApiToken {
  id: string;
  name: string;
  /** Hash of the token; the caller hashes before storing and before looking up. */
  tokenHash: string;
  /** What the token may do (gateway/http/api-scopes.ts); tokens made before scopes existed hold `admin`. */
  scopes: string[];
  createdAt: number;
}

/** The fare computed for one tap; a tap has at most one fare. */
export interface Fare {
  tapDevice: string;
  tapSeq: number;
  amountCents: number;
  currency: string;
  operator: string;
  computedAt: number;
}

/** Fares by the gate time of their taps. */
export interface FareQuery {
  operator?: string;
  currency?: string;
  /** Gate time of the tap, inclusive. */
  from?: number;
  /** Gate time of the tap, exclusive. */
  until?: number;
  limit: number;
}

export interface Settlement {
  /** Chosen by the caller, so re-running a settlement is idempotent. */
  id: string;
  operator: string;
  currency: string;
  periodStart: number;
  periodEnd: number;
  totalCents: number;
  fareCount: number;
  createdAt: number;
}

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

/** Journal records: exactly-once ingest, watermarks and gaps. */
export interface RecordLedger {
  /**
   * Commits one batch in one transaction. Records already stored under
   * (device, seq) are no-ops, so a re-sent batch changes nothing; one stored with
   * other content is refused and kept apart (`conflicts`), never dropped. Throws
   * LedgerInputError, naming the field, before writing anything if a record is
   * malformed or belongs to another device.
   */
  ingestBatch(device: string, records: JournalRecord[]): Promise<IngestResult>;
  /**
   * Group commit: many batches (of any devices) in one transaction. Results are
   * in the order of `batches`; `highestContiguous` is the device's watermark
   * after the whole group. All or nothing.
   */
  ingestBatches(batches: DeviceBatch[]): Promise<IngestResult[]>;
  /**
   * Missing seq ranges between 1 and the highest seq seen, per device, ordered; seqs
   * inside a declared loss are not gaps (the watermark moves over them too).
   */
  gaps(device?: string): Promise<SeqGap[]>;
  /** Declared losses, by device and fromSeq. */
  losses(device?: string): Promise<DeclaredLoss[]>;
  /** Refused conflicting records, newest first, at most `limit` (1 to 10,000). */
  conflicts(query: { device?: string; limit: number }): Promise<RecordConflict[]>;
  deviceProgress(device: string): Promise<DeviceProgress>;
  /** Journal records (taps, passages and gate events) matching every given filter. */
  taps(query: TapQuery): Promise<TapPage>;
}

export interface DeviceRegistry {
  /** Inserts or replaces a device; an existing device keeps its createdAt. */
  upsertDevice(device: Device): Promise<void>;
  /** Replaces a device's state; false when the device is not registered. */
  setDeviceState(id: string, state: DeviceState): Promise<boolean>;
  getDevice(id: string): Promise<Device | null>;
  /** Forgets a device's registration (its records stay); false when it was not registered. */
  removeDevice(id: string): Promise<boolean>;
  /** Ordered by id. */
  listDevices(): Promise<Device[]>;
}

export interface BundleStore {
  /** False when that type and version was already published (bundles are immutable). */
  putBundle(bundle: PublishedBundle): Promise<boolean>;
  /** The highest version of a type, or null. */
  latestBundle(type: string): Promise<PublishedBundle | null>;
  /** The highest version of every type, ordered by type. */
  latestBundles(): Promise<PublishedBundle[]>;
}

export interface TicketStore {
  /** Throws if the ticket id exists (ids are random; a clash is a bug). */
  insertIssuedTicket(ticket: StoredTicket): Promise<void>;
  getIssuedTicket(ticketId: string): Promise<StoredTicket | null>;
  /**
   * Uses up a ticket's QR retrieval secret: true when the ticket still held exactly
   * that hash (now cleared), false otherwise — of two racing uses, one wins.
   */
  consumeTicketQrSecret(ticketId: string, qrSecretHash: string): Promise<boolean>;
}

export interface ApiTokenStore {
  /** Throws if the id or the hash exists. */
  insertApiToken(token: ApiToken): Promise<void>;
  findApiTokenByHash(tokenHash: string): Promise<ApiToken | null>;
  /** Ordered by createdAt, then id. */
  listApiTokens(): Promise<ApiToken[]>;
  /** False when there was no such token. */
  deleteApiToken(id: string): Promise<boolean>;
}

export interface FareStore {
  /**
   * Stores fares in one transaction; a tap that already has a fare keeps it (a
   * fare is computed once). Returns how many were new. Throws if a fare names a
   * tap that is not in the ledger.
   */
  insertFares(fares: Fare[]): Promise<number>;
  /** Ordered by the taps' gate time, then device and seq. */
  fares(query: FareQuery): Promise<Fare[]>;
  /** Sum and count of the fares matching the query (its limit is ignored). */
  fareTotal(query: Omit<FareQuery, 'limit'>): Promise<{ totalCents: number; count: number }>;
  /** False when a settlement with that id exists. */
  insertSettlement(settlement: Settlement): Promise<boolean>;
  /** Ordered by periodStart, then id. */
  settlements(operator?: string): Promise<Settlement[]>;
}

/**
 * The whole ledger. The constructor only stores its options; `start()` opens the
 * store and applies pending schema migrations; `stop()` closes it. Other methods
 * reject before `start()` and after `stop()`.
 */
export interface Ledger extends RecordLedger, DeviceRegistry, BundleStore, TicketStore, ApiTokenStore, FareStore, ClearingStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The schema migrations applied to this store, by version. */
  migrations(): Promise<AppliedMigration[]>;
}
