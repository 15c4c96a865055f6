/**
 * Anti-passback memory: which tickets entered where and when. Bounded by an LRU
 * so a flood of distinct tickets cannot grow memory; the oldest entries go first.
 * Time is passed in, never read here, so the check stays pure.
 */
import { LRUCache } from 'lru-cache';
import type { Product } from '../../protocol/ticket/claims.ts';

interface EntryRecord {
  station: string;
  enteredAt: number;
  single: boolean;
}

export const DEFAULT_PASSBACK_CAPACITY = 50_000;

export class PassbackState {
  private readonly entries: LRUCache<string, EntryRecord>;

  constructor(capacity = DEFAULT_PASSBACK_CAPACITY) {
    this.entries = new LRUCache({ max: capacity });
  }

  get size(): number {
    return this.entries.size;
  }

  /** True when a new entry with this ticket must be refused. */
  blocks(ticketId: string, station: string, now: number, passbackSeconds: number): boolean {
    const record = this.entries.peek(ticketId);
    if (!record) return false;
    if (record.single) return true;
    return record.station === station && now < record.enteredAt + passbackSeconds;
  }

  recordEntry(ticketId: string, product: Product, station: string, now: number): void {
    this.entries.set(ticketId, { station, enteredAt: now, single: product === 'single' });
  }
}
