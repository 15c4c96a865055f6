/**
 * The fare engine's API, for the what-if CLI and for clearing in the gateway.
 *
 * Load a feed once (it is immutable; per-feed memos live beside it):
 *   `loadFeed(dir)` or `parseFeed(files)` → {@link FareFeed}; a bad feed throws
 *   {@link FareInputError} whose `problems` name file, line and field (JSON path for
 *   fare_policy.json), all at once.
 *
 * Rate (pure and deterministic: the same feed and taps give the same result, in any
 * order of arrival; ties at one instant are ordered by content, see `compareTaps`):
 *   - `rateTaps(feed, taps)` → {@link Rating}: every account, in account-id order.
 *   - `forEachAccountRating(feed, taps, visit)`: the same, one account at a time, so
 *     a large day need not be held as one result.
 *   - `forEachAccountInOrder(feed, taps, visit)`: taps already grouped by account (a
 *     query ordered by account): only one account's taps are held at a time.
 *   - `rateAccount(feed, account, taps)` → {@link AccountRating}: one account's legs
 *     (each with `baseMinor`, `chargeMinor`, `explain`, `tapRefs` = the taps' `ref`),
 *     sub-journeys, service-day totals, account total and the cap windows used.
 *
 * Re-rate after a late tap (a gate that was offline): `rerateWindow(feed, tap,
 * previousRating)` says from which instant charges can change (`changesFrom`) and
 * from which instant to give `rateAccount` the account's taps (`rateFrom`, a clean
 * restart point: no journey, sub-journey or rolling cap window open across it);
 * supersede the previous charges of legs starting at or after `changesFrom` whose
 * result differs. An `in` whose `out` has not arrived yet rates as incomplete, so the
 * `out` is itself a late tap that re-rates its journey.
 *
 * Taps: {@link Tap} (`time` ms since the epoch, `account`, `stop` = GTFS stop_id,
 * `network` = network_id or empty with `route`, `direction`, `category`, `media`,
 * `ref` = the caller's id for the tap). `parseTapsCsv(text, file)` reads the
 * contract's taps CSV. Amounts are integers in the feed currency's minor unit.
 */
export type { FareFeed, CapPolicy, TapOutPolicy } from './fare-feed.ts';
export type { Tap, TapDirection } from './tap.ts';
export type { AccountRating, CapWindow, DayTotal, LegStatus, RatedLeg, Rating, SubJourney } from './rating.ts';
export type { RerateWindow } from './rerate-window.ts';
export { FareInputError, formatProblem, type FeedProblem } from './feed-problem.ts';
export { loadFeed, parseFeed } from './load-feed.ts';
export { parseTapsCsv } from './read-taps-csv.ts';
export { compareTaps } from './tap.ts';
export { rateAccount } from './rate-account.ts';
export { forEachAccountInOrder, forEachAccountRating, rateTaps } from './rate-taps.ts';
export { rerateWindow } from './rerate-window.ts';
export { formatMinorUnits } from './money.ts';
