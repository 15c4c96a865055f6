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

/** Calls `visit` with each account's rating, in account-id order, without keeping them. */
export function forEachAccountRating(feed: FareFeed, taps: Iterable<Tap>, visit: (rating: AccountRating) => void): void {
  const byAccount = groupByAccount(taps);
  const accounts = [...byAccount.keys()].sort();
  for (const account of accounts) {
    visit(rateAccount(feed, account, byAccount.get(account)!));
    byAccount.delete(account);
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

export function rateTaps(feed: FareFeed, taps: Iterable<Tap>): Rating {
  const accounts: AccountRating[] = [];
  forEachAccountRating(feed, taps, (rating) => accounts.push(rating));
  return { accounts, currency: feed.currency };
}
