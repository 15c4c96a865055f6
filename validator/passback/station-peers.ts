/**
 * Shares this gate's accepted entries with the other gates of its station and merges
 * theirs (docs/protocol.md, station topic). The check itself never waits for this: a
 * local entry is queued and published on the next turn of the event loop, after the
 * gate has been commanded; a peer's entry is merged the moment it arrives. With the
 * uplink down the entries are not shared (a log line and a metric); each gate then
 * keeps its own memory, and clearing sees what slipped through. On every connection a
 * gate asks its peers for what they remember (entries made while it was down or cut
 * off); its own accepts it reads back from its journal.
 */
import type { Logger } from 'pino';
import { encodePassbackShare, MAX_SHARED_ENTRIES, parsePassbackShare, type SharedEntry } from '../../protocol/mqtt/station-passback.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import type { PassbackEntry, PassbackState } from '../check/passback-state.ts';
import type { ValidatorMetrics } from '../service/validator-metrics.ts';

export interface PeerLink {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
}

/** A reconnecting gate asks for entries from this long before its link went down (clocks, in-flight shares). */
export const SYNC_MARGIN_SECONDS = 60;

export class StationPeers {
  readonly topic: string;
  private queue: SharedEntry[] = [];
  private flushScheduled = false;
  /** False while the broker refuses this gate its station topic (a publish there would cost the connection). */
  private granted = true;
  /** When the link went down (Unix seconds); unknown after a start, when the whole window is asked for. */
  private lostAt: number | undefined;

  constructor(
    private readonly parts: {
      device: string;
      station: string;
      state: PassbackState;
      link: PeerLink;
      metrics: Pick<ValidatorMetrics, 'passbackShared' | 'passbackMerged'>;
      /** The gate's time, Unix seconds. */
      nowSeconds: () => number;
      /** How long an entry matters, seconds (the memory window). */
      memorySeconds: number;
    },
    private readonly logger: Logger,
  ) {
    this.topic = topics.stationPassback(parts.station);
  }

  async start(): Promise<void> {
    this.parts.state.onEntry((entry) => this.onLocalEntry(entry));
  }

  async stop(): Promise<void> {
    this.parts.state.onEntry(() => undefined);
  }

  /** The broker's answer to this connection's subscriptions. */
  onSubscribed(refused: string[]): void {
    this.granted = !refused.includes(this.topic);
    if (!this.granted) {
      this.logger.error({ topic: this.topic, station: this.parts.station }, 'station topic refused by the broker: is this gate registered at this station? Entries are not shared');
      return;
    }
    this.send({ entries: [], syncSince: this.syncSince() }, 0);
  }

  /** The link went down: on the next connection, only what peers saw since then (with a margin) is asked for. */
  onDisconnected(): void {
    this.lostAt = Math.floor(this.parts.nowSeconds());
  }

  private syncSince(): number {
    const now = Math.floor(this.parts.nowSeconds());
    const windowStart = now - this.parts.memorySeconds;
    return this.lostAt === undefined ? windowStart : Math.max(windowStart, this.lostAt - SYNC_MARGIN_SECONDS);
  }

  /** A message on the station topic. Never throws. */
  onMessage(payload: Buffer): void {
    try {
      const share = parsePassbackShare(payload);
      if (share.device === this.parts.device) return; // our own, echoed by the broker
      if (share.station !== this.parts.station) {
        this.logger.warn({ from: share.device, station: share.station }, 'passback share for another station ignored');
        return;
      }
      for (const entry of share.entries) {
        this.parts.state.merge({ key: entry.key, station: share.station, enteredAt: entry.at, single: entry.single });
      }
      if (share.entries.length > 0) this.parts.metrics.passbackMerged.inc({ source: 'peer' }, share.entries.length);
      if (share.syncSince !== undefined) this.answerSync(share.device, share.syncSince);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'passback share refused');
    }
  }

  private onLocalEntry(entry: PassbackEntry): void {
    this.queue.push({ key: entry.key, at: entry.enteredAt, single: entry.single });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const entries = this.queue;
    this.queue = [];
    const { link, metrics } = this.parts;
    if (!link.connected || !this.granted) {
      metrics.passbackShared.inc({ outcome: link.connected ? 'refused' : 'not_connected' }, entries.length);
      this.logger.warn({ entries: entries.length, connected: link.connected }, 'accepted entries not shared with the station (this gate remembers them)');
      return;
    }
    this.sendEntries(entries);
  }

  /** A peer just connected: everything remembered from its window, in shares of at most 100. */
  private answerSync(peer: string, since: number): void {
    if (!this.parts.link.connected || !this.granted) return;
    const entries = this.parts.state.entriesSince(since).map((entry) => ({ key: entry.key, at: entry.enteredAt, single: entry.single }));
    this.logger.info({ peer, entries: entries.length }, 'a station peer asked for the remembered entries');
    this.sendEntries(entries);
  }

  private sendEntries(entries: SharedEntry[]): void {
    for (let i = 0; i < entries.length; i += MAX_SHARED_ENTRIES) {
      this.send({ entries: entries.slice(i, i + MAX_SHARED_ENTRIES) }, Math.min(MAX_SHARED_ENTRIES, entries.length - i));
    }
  }

  /** Publishes one share; `counted` entries go into the shared metric by outcome. */
  private send(share: { entries: SharedEntry[]; syncSince?: number }, counted: number): void {
    const { link, metrics } = this.parts;
    const payload = encodePassbackShare({ v: 1, device: this.parts.device, station: this.parts.station, ...share });
    link.publish(this.topic, payload, { qos: 1 }).then(
      () => metrics.passbackShared.inc({ outcome: 'sent' }, counted),
      (error: unknown) => {
        metrics.passbackShared.inc({ outcome: 'failed' }, counted);
        this.logger.warn({ reason: (error as Error).message, entries: share.entries.length }, 'station share not published');
      },
    );
  }
}
