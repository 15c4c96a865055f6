/** Rates every account in a set of taps: group by account, rate each, accounts in id order. */
import type { FareFeed } from './fare-feed.ts';
import { rateAccount } from './rate-account.ts';
import type { AccountRating, Rating } from './rating.ts';
import type { Tap } from './tap.ts';

export function groupByAccount(taps: Iterable<Tap>): Map<string, Tap[]> {
  const byAccount = new Map<string, Tap[]>();
  for (const tap of taps) {
    const list = byAccount.get(tap.account);
    if (list) list.push(tap);
    else byAccount.set(tap.account, [tap]);
  }
  return byAccount;
}

/**
 * Calls `visit` with each account's rating, in account-id order, without keeping them.
 * Taps are grouped by index (a counting sort into one Int32Array) rather than into an
 * array per account, so grouping millions of taps costs little memory.
 */
export function forEachAccountRating(feed: FareFeed, taps: readonly Tap[], visit: (rating: AccountRating) => void): void {
  const indexOf = new Map<string, number>();
  const accountOfTap = new Int32Array(taps.length);
  const counts: number[] = [];
  for (let i = 0; i < taps.length; i++) {
    const account = taps[i]!.account;
    let index = indexOf.get(account);
    if (index === undefined) {
      indexOf.set(account, (index = counts.length));
      counts.push(0);
    }
    accountOfTap[i] = index;
    counts[index]!++;
  }
  const starts = new Int32Array(counts.length + 1);
  for (let a = 0; a < counts.length; a++) starts[a + 1] = starts[a]! + counts[a]!;
  const order = new Int32Array(taps.length);
  const fill = starts.slice(0, counts.length);
  for (let i = 0; i < taps.length; i++) order[fill[accountOfTap[i]!]!++] = i;
  const accounts = [...indexOf.keys()].sort();
  for (const account of accounts) {
    const index = indexOf.get(account)!;
    const own: Tap[] = [];
    for (let k = starts[index]!; k < starts[index + 1]!; k++) own.push(taps[order[k]!]!);
    visit(rateAccount(feed, account, own));
  }
}

/**
 * Rates taps that arrive grouped by account (a ledger query ordered by account, a
 * stream): one account's taps in memory at a time, so a day of millions of taps is
 * rated in little memory. Throws if an account's taps are not all together.
 */
export function forEachAccountInOrder(feed: FareFeed, taps: Iterable<Tap>, visit: (rating: AccountRating) => void): void {
  const done = new Set<string>();
  let account: string | undefined;
  let current: Tap[] = [];
  for (const tap of taps) {
    if (tap.account !== account) {
      if (account !== undefined) {
        visit(rateAccount(feed, account, current));
        done.add(account);
      }
      if (done.has(tap.account)) throw new Error(`the taps of account "${tap.account}" are not together: give them grouped by account`);
      account = tap.account;
      current = [];
    }
    current.push(tap);
  }
  if (account !== undefined) visit(rateAccount(feed, account, current));
}

export function rateTaps(feed: FareFeed, taps: readonly Tap[]): Rating {
  const accounts: AccountRating[] = [];
  forEachAccountRating(feed, taps, (rating) => accounts.push(rating));
  return { accounts, currency: feed.currency };
}
