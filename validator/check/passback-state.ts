/**
 * Anti-passback memory: which tickets entered where and when. Bounded by an LRU
 * so a flood of distinct tickets cannot grow memory; the oldest entries go first.
 * Time is passed in, never read here, so the check stays pure.
 *
 * Entries are kept under a key derived from the ticket id (the station's keyed hash
 * in the service), so that accepts shared by the other gates of the station and
 * accepts read back from the journal after a restart merge into the same memory.
 */
import { LRUCache } from 'lru-cache';
import type { Product } from '../../protocol/ticket/claims.ts';

export interface PassbackEntry {
  key: string;
  station: string;
  /** Unix seconds. */
  enteredAt: number;
  single: boolean;
}

interface EntryRecord {
  station: string;
  enteredAt: number;
  single: boolean;
}

export const DEFAULT_PASSBACK_CAPACITY = 50_000;

export class PassbackState {
  private readonly entries: LRUCache<string, EntryRecord>;
  private listener: ((entry: PassbackEntry) => void) | undefined;
  // blocks() and recordEntry() ask for the same ticket back to back: derive its key once.
  private lastTicketId = '';
  private lastKey = '';

  constructor(
    capacity = DEFAULT_PASSBACK_CAPACITY,
    private readonly keyOf: (ticketId: string) => string = (ticketId) => ticketId,
  ) {
    this.entries = new LRUCache({ max: capacity });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Called after every local entry (not merged ones), synchronously: keep it cheap. */
  onEntry(listener: (entry: PassbackEntry) => void): void {
    this.listener = listener;
  }

  /** True when a new entry with this ticket must be refused. */
  blocks(ticketId: string, station: string, now: number, passbackSeconds: number): boolean {
    const record = this.entries.peek(this.key(ticketId));
    if (!record) return false;
    if (record.single) return true;
    return record.station === station && now < record.enteredAt + passbackSeconds;
  }

  recordEntry(ticketId: string, product: Product, station: string, now: number): void {
    const entry: PassbackEntry = { key: this.key(ticketId), station, enteredAt: now, single: product === 'single' };
    this.entries.set(entry.key, { station, enteredAt: now, single: entry.single });
    this.listener?.(entry);
  }

  /**
   * An entry seen elsewhere (a peer gate) or earlier (the journal): the later entry's
   * station and time win, and a ticket once seen as single stays single.
   */
  merge(entry: PassbackEntry): void {
    const held = this.entries.peek(entry.key);
    if (!held) {
      this.entries.set(entry.key, { station: entry.station, enteredAt: entry.enteredAt, single: entry.single });
      return;
    }
    const later = entry.enteredAt >= held.enteredAt ? entry : held;
    this.entries.set(entry.key, { station: later.station, enteredAt: later.enteredAt, single: held.single || entry.single });
  }

  /** Every remembered entry at or after `since` (Unix seconds), for a peer catching up. */
  entriesSince(since: number): PassbackEntry[] {
    const found: PassbackEntry[] = [];
    for (const [key, record] of this.entries.entries()) {
      if (record.enteredAt >= since) found.push({ key, station: record.station, enteredAt: record.enteredAt, single: record.single });
    }
    return found;
  }

  /** The key this memory files a ticket under (the keyed hash in the service). */
  key(ticketId: string): string {
    if (ticketId !== this.lastTicketId) {
      this.lastKey = this.keyOf(ticketId);
      this.lastTicketId = ticketId;
    }
    return this.lastKey;
  }
}
