/**
 * Routes what arrives from the broker: acks to the uplink, signed bundles and this
 * device's commands to the bundle store, time beacons and clock resets to the trusted clock.
 * Every payload is verified before it changes anything; every one dropped is logged and counted.
 */
import type { Logger } from 'pino';
import { openClockReset } from '../../protocol/bundles/clock-reset.ts';
import { openTimeBeacon } from '../../protocol/bundles/downlink-bundles.ts';
import { bundleKindOfTopic, topics } from '../../protocol/mqtt/topics.ts';
import type { BundleStore } from '../downlink/bundle-store.ts';
import type { TrustedClock } from '../time/trusted-clock.ts';
import type { Uplink } from '../uplink/uplink.ts';
import type { ValidatorMetrics } from './validator-metrics.ts';

export class DownlinkRouter {
  constructor(
    private readonly parts: {
      device: string;
      uplink: Pick<Uplink, 'onAck'>;
      bundles: Pick<BundleStore, 'receive' | 'anchor'>;
      clock: Pick<TrustedClock, 'anchorTo' | 'reset'>;
      metrics: ValidatorMetrics;
      onBundlesChanged: () => void;
    },
    private readonly logger: Logger,
  ) {}

  subscriptions(): string[] {
    return [topics.ack(this.parts.device), topics.command(this.parts.device), topics.allBundles, topics.time()];
  }

  onMessage(topic: string, payload: Buffer): void {
    try {
      if (topic === topics.ack(this.parts.device)) return this.parts.uplink.onAck(payload);
      if (topic === topics.time()) return this.onBeacon(payload);
      if (topic === topics.clockReset()) return this.onClockReset(payload);
      const kind = topic === topics.command(this.parts.device) ? 'command' : bundleKindOfTopic(topic);
      if (!kind) return;
      // An empty retained message clears a topic; there is nothing to apply.
      if (payload.length === 0) return;
      const outcome = this.parts.bundles.receive(kind, new Uint8Array(payload));
      if (outcome.status === 'refused') this.parts.metrics.bundlesRefused.inc({ kind });
      if (outcome.status === 'applied') this.parts.onBundlesChanged();
    } catch (error) {
      this.logger.error({ err: error, topic }, 'downlink message not handled');
    }
  }

  private onBeacon(payload: Buffer): void {
    let beacon;
    try {
      beacon = openTimeBeacon(new Uint8Array(payload), this.parts.bundles.anchor);
    } catch (error) {
      this.parts.metrics.beaconsDropped.inc({ reason: 'invalid' });
      this.logger.warn({ reason: 'invalid', detail: (error as Error).message }, 'time beacon dropped');
      return;
    }
    const verdict = this.parts.clock.anchorTo(beacon.timeMs);
    if (verdict.taken) return;
    this.parts.metrics.beaconsDropped.inc({ reason: verdict.reason });
    this.logger.warn(
      { reason: verdict.reason, beacon: new Date(beacon.timeMs).toISOString(), reference: new Date(verdict.referenceMs).toISOString() },
      'time beacon dropped',
    );
  }

  private onClockReset(payload: Buffer): void {
    if (payload.length === 0) return; // the retained reset was cleared
    let reset;
    try {
      reset = openClockReset(new Uint8Array(payload), this.parts.bundles.anchor);
    } catch (error) {
      this.parts.metrics.bundlesRefused.inc({ kind: 'clock-reset' });
      this.logger.warn({ reason: (error as Error).message }, 'clock reset refused');
      return;
    }
    if (!this.parts.clock.reset(reset)) return; // applied before (the retained copy on every connect)
    this.parts.metrics.clockResets.inc();
    this.parts.onBundlesChanged();
  }
}
