/**
 * Settings of the tap journal. The validator's config schema supplies them; the
 * defaults suit a Pi with an SD card and a gate doing a few taps a second.
 */
import type { LossRecord } from '../../protocol/uplink/tap-record.ts';
import type { JournalFs } from './journal-fs.ts';
import type { Backlog } from './segment-log.ts';

export interface TapJournalOptions {
  /** Directory of the segments and the state file; created if missing. One journal per directory. */
  dir: string;
  /**
   * Group-commit interval: every record appended within it shares one write + fdatasync.
   * At most this much (plus one fdatasync) is lost on a power cut (architecture.md).
   */
  commitIntervalMs?: number;
  /** A segment rolls over once the next batch would take it past this size. */
  segmentBytes?: number;
  /** The backlog alarm goes on above either limit (appends never stop)... */
  backlogAlarmRecords?: number;
  backlogAlarmBytes?: number;
  /**
   * The ack point is written at most this often: each write is two fsyncs on the card,
   * and an ack point lost in a crash only re-sends records the gateway de-duplicates.
   */
  ackPersistIntervalMs?: number;
  /**
   * Acknowledged segments last written within this time stay on disk (0: deleted at
   * once), so start-up can read recent accepts back for anti-passback.
   */
  retainAcknowledgedMs?: number;
  /**
   * Seqs reserved on disk ahead of use (seq-space.ts): a crash declares at most this
   * many seqs lost, and the reservation is rewritten once every half block.
   */
  reserveBlock?: number;
  /** Called when the backlog alarm goes on (true) or off (false). */
  onBacklogAlarm?: (active: boolean, backlog: Backlog) => void;
  /**
   * The device, place and time of a loss record: with it, start() journals the loss it
   * finds (seq-space.ts) as its first record. Without it, only `declaredLoss` tells.
   */
  lossRecordBase?: () => Omit<LossRecord, 'kind' | 'seq' | 'from' | 'to' | 'reason'>;
  /** The disk; default the real file system. Tests inject full and failing disks. */
  fs?: JournalFs;
  /** Wall clock for the first seq on storage without a past; default Date.now. */
  wallClock?: () => number;
  /** Clock for how long records wait uncommitted; default performance.now. */
  monotonicNow?: () => number;
}

type Injected = 'onBacklogAlarm' | 'fs' | 'wallClock' | 'monotonicNow' | 'lossRecordBase';
export type ResolvedJournalOptions = Required<Omit<TapJournalOptions, Injected>> & Pick<TapJournalOptions, Injected>;

export const JOURNAL_DEFAULTS = {
  commitIntervalMs: 5,
  segmentBytes: 4 * 1024 * 1024,
  backlogAlarmRecords: 100_000,
  backlogAlarmBytes: 32 * 1024 * 1024,
  ackPersistIntervalMs: 1_000,
  retainAcknowledgedMs: 0,
  reserveBlock: 256,
} satisfies Partial<TapJournalOptions>;

/** ...and off again once the backlog is below this share of both limits (no flapping). */
export const BACKLOG_CLEAR_RATIO = 0.9;

/** Applies the defaults and rejects impossible values, listing every problem. */
export function resolveJournalOptions(options: TapJournalOptions): ResolvedJournalOptions {
  const resolved: ResolvedJournalOptions = { ...JOURNAL_DEFAULTS, ...withoutUndefined(options) };
  const errors: string[] = [];
  if (resolved.dir === '') errors.push('dir: must not be empty');
  const checks: [keyof typeof JOURNAL_DEFAULTS, number][] = [
    ['commitIntervalMs', 0],
    ['segmentBytes', 4096],
    ['backlogAlarmRecords', 1],
    ['backlogAlarmBytes', 1],
    ['ackPersistIntervalMs', 0],
    ['retainAcknowledgedMs', 0],
    ['reserveBlock', 2],
  ];
  for (const [key, min] of checks) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < min) errors.push(`${key}: must be an integer >= ${min}`);
  }
  if (errors.length > 0) throw new RangeError(`invalid journal options: ${errors.join('; ')}`);
  return resolved;
}

function withoutUndefined(options: TapJournalOptions): TapJournalOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as TapJournalOptions;
}
