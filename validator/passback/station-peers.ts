/**
 * Shares this gate's accepted entries with the other gates of its station and merges
 * theirs (docs/protocol.md, station topic). The check itself never waits for this: a
 * local entry is queued and published on the next turn of the event loop, after the
 * gate has been commanded; a peer's entry is merged the moment it arrives. With the
 * uplink down the entries are not shared (a log line and a metric); each gate then
 * keeps its own memory, and clearing sees what slipped through.
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

export class StationPeers {
  readonly topic: string;
  private queue: SharedEntry[] = [];
  private flushScheduled = false;
  /** False while the broker refuses this gate its station topic (a publish there would cost the connection). */
  private granted = true;

  constructor(
    private readonly parts: {
      device: string;
      station: string;
      state: PassbackState;
      link: PeerLink;
      metrics: Pick<ValidatorMetrics, 'passbackShared' | 'passbackMerged'>;
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
    if (!this.granted) this.logger.error({ topic: this.topic, station: this.parts.station }, 'station topic refused by the broker: is this gate registered at this station? Entries are not shared');
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
      this.parts.metrics.passbackMerged.inc({ source: 'peer' }, share.entries.length);
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
    for (let i = 0; i < entries.length; i += MAX_SHARED_ENTRIES) {
      const chunk = entries.slice(i, i + MAX_SHARED_ENTRIES);
      const payload = encodePassbackShare({ v: 1, device: this.parts.device, station: this.parts.station, entries: chunk });
      link.publish(this.topic, payload, { qos: 1 }).then(
        () => metrics.passbackShared.inc({ outcome: 'sent' }, chunk.length),
        (error: unknown) => {
          metrics.passbackShared.inc({ outcome: 'failed' }, chunk.length);
          this.logger.warn({ reason: (error as Error).message, entries: chunk.length }, 'accepted entries not shared with the station');
        },
      );
    }
  }
}
