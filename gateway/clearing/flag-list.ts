/**
 * The flags of a range of service days, for `GET /api/flags`: those of the current
 * account-day ratings (a re-rating that explains them away drops them), and every entry
 * of a single ticket after its first, from the recorded ticket uses.
 */
import type { FareFeed } from '../fares/fares-api.ts';
import type { ClearingFlag } from '../ledger/clearing-store.ts';
import type { Ledger } from '../ledger/ledger.ts';

export async function listFlags(ledger: Ledger, feed: FareFeed, fromDay: string, toDay: string): Promise<ClearingFlag[]> {
  const flags = await ledger.ratingFlags(fromDay, toDay);
  const entries = await ledger.repeatedEntries('single', fromDay, toDay);
  const name = (stop: string): string => feed.stopNames.get(stop) ?? stop;
  entries.forEach((use, i) => {
    const first = entries.findIndex((other) => other.ticketId === use.ticketId);
    if (first === i || use.serviceDay < fromDay || use.serviceDay > toDay) return;
    const earlier = entries[first]!;
    flags.push({
      kind: 'single-reused',
      subject: use.ticketId,
      at: use.at,
      serviceDay: use.serviceDay,
      detail: `single ticket accepted at ${name(use.stop)} (${use.device} #${use.seq}) after its first entry at ${name(earlier.stop)} (${earlier.device} #${earlier.seq})`,
    });
  });
  return flags.sort((a, b) => (a.serviceDay < b.serviceDay ? -1 : a.serviceDay > b.serviceDay ? 1 : a.at - b.at));
}
