/**
 * Rates one account after new taps: under the account's lock, reads its accepted taps
 * from a clean restart point (rerateWindow), rates them, and for every service day the
 * new taps can change stores a new version when the result differs from the current
 * one. Earlier versions stay as they were (the audit trail); rating the same taps again
 * writes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { rateAccount, rerateWindow, type AccountRating, type FareFeed, type RatedLeg, type Tap } from '../fares/fares-api.ts';
import type { AccountDayRating, ChargedLeg, ClearingFlag } from '../ledger/clearing-store.ts';
import type { Device, Ledger } from '../ledger/ledger.ts';
import type { TapRecord } from '../../protocol/uplink/tap-record.ts';
import { agencyOf, isAccountTap, placeOf, tapOf } from './clearing-places.ts';
import { ratingFlags } from './clearing-flags.ts';

const DAY_MS = 86_400_000;
const PAGE = 10_000;

export interface RaterOptions {
  minTravelMs: number;
  now: () => number;
}

export interface RateOutcome {
  /** Versions written (first ratings and re-ratings). */
  written: number;
  /** Of those, versions that superseded an earlier one. */
  superseded: number;
  /** Flags the new versions raised that the versions before them did not have. */
  newFlags: ClearingFlag[];
}

const flagKey = (flag: ClearingFlag): string => `${flag.kind}\u0000${flag.subject}\u0000${flag.at}`;

export class AccountRater {
  constructor(
    private readonly ledger: Ledger,
    private readonly feed: FareFeed,
    private readonly deviceOf: (id: string) => Promise<Device | undefined>,
    private readonly options: RaterOptions,
  ) {}

  /** Rates `account` after taps from `earliest` on arrived; `reason` is stored with each new version. */
  async rate(account: string, earliest: number, reason: string): Promise<RateOutcome> {
    return this.ledger.withAccountLock(account, () => this.rateLocked(account, earliest, reason));
  }

  private async rateLocked(account: string, earliest: number, reason: string): Promise<RateOutcome> {
    const { feed } = this;
    // A first guess from the calendar alone, then the rating around it shows what is open across it.
    const guess = rerateWindow(feed, { time: earliest });
    const lookback = Math.max(1, ...feed.caps.filter((cap) => cap.period === 'rolling').map((cap) => cap.days)) * DAY_MS;
    const { records, taps } = await this.accountTaps(account, guess.rateFrom - lookback);
    const window = rerateWindow(feed, { time: earliest }, rateAccount(feed, account, taps));
    const used = taps.filter((tap) => tap.time >= window.rateFrom);
    const rating = rateAccount(feed, account, used);
    const flags = ratingFlags(feed, rating, used, this.options.minTravelMs);
    const current = new Map((await this.ledger.currentRatings(account, window.firstServiceDay, '9999-12-31')).map((r) => [r.serviceDay, r]));
    const outcome: RateOutcome = { written: 0, superseded: 0, newFlags: [] };
    for (const [day, legs] of this.legsByDay(rating, window.firstServiceDay)) {
      const before = current.get(day);
      const next: AccountDayRating = {
        account,
        serviceDay: day,
        version: (before?.version ?? 0) + 1,
        ratedAt: this.options.now(),
        reason,
        totalMinor: legs.reduce((sum, leg) => sum + leg.chargeMinor, 0),
        currency: rating.currency,
        legs: this.chargedLegs(legs, records),
        flags: flags.filter((flag) => flag.serviceDay === day),
      };
      if (before !== undefined && sameCharges(before, next)) continue;
      if (!(await this.ledger.insertRating(next))) continue; // only without the lock: another instance wrote it
      outcome.written++;
      if (before !== undefined) outcome.superseded++;
      const known = new Set((before?.flags ?? []).map(flagKey));
      outcome.newFlags.push(...next.flags.filter((flag) => !known.has(flagKey(flag))));
    }
    return outcome;
  }

  /** The account's accepted account-ticket taps from `from` on, as rating taps; `ref` indexes `records`. */
  private async accountTaps(account: string, from: number): Promise<{ records: TapRecord[]; taps: Tap[] }> {
    const records: TapRecord[] = [];
    const taps: Tap[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ledger.taps({ ticketId: account, kind: 'tap', from, limit: PAGE, ...(cursor !== undefined && { cursor }) });
      for (const record of page.records) {
        if (!isAccountTap(record)) continue;
        taps.push(tapOf(record, placeOf(record, await this.deviceOf(record.device)), records.length));
        records.push(record);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return { records, taps };
  }

  private legsByDay(rating: AccountRating, firstDay: string): Map<string, RatedLeg[]> {
    const byDay = new Map<string, RatedLeg[]>();
    for (const leg of rating.legs) {
      if (leg.serviceDay < firstDay) continue;
      byDay.set(leg.serviceDay, [...(byDay.get(leg.serviceDay) ?? []), leg]);
    }
    return byDay;
  }

  /** Sub-journeys renumbered within the day, so a rating started elsewhere compares equal. */
  private chargedLegs(legs: RatedLeg[], records: TapRecord[]): ChargedLeg[] {
    const subJourneys = new Map<number, number>();
    return legs.map((leg, legIndex) => {
      let subJourney: number | null = null;
      if (leg.subJourney !== null) {
        if (!subJourneys.has(leg.subJourney)) subJourneys.set(leg.subJourney, subJourneys.size);
        subJourney = subJourneys.get(leg.subJourney)!;
      }
      return {
        legIndex,
        network: leg.network,
        agency: agencyOf(this.feed, leg.network),
        fromStop: leg.fromStop,
        toStop: leg.toStop,
        start: leg.start,
        end: leg.end,
        status: leg.status,
        fareProductId: leg.fareProductId,
        category: leg.category,
        baseMinor: leg.baseMinor,
        chargeMinor: leg.chargeMinor,
        currency: leg.currency,
        subJourney,
        explain: leg.explain,
        taps: leg.tapRefs.map((ref) => ({ device: records[ref]!.device, seq: records[ref]!.seq })),
      };
    });
  }
}

/** Same legs, charges, explanations and flags: nothing for a new version to say. */
function sameCharges(a: AccountDayRating, b: AccountDayRating): boolean {
  // Deep equality ignores key order, which PostgreSQL's jsonb does not keep.
  return isDeepStrictEqual([a.totalMinor, a.currency, a.legs, a.flags], [b.totalMinor, b.currency, b.legs, b.flags]);
}
