/**
 * Anti-passback as the service runs it (docs/protocol.md, "Anti-passback and single use
 * across gates and restarts"): memory under the station's keyed hash, read back from the
 * journal whenever it opens, and shared with the station's peers over the link. One
 * object for the composition root to wire, so the parts stay small and testable alone.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Part } from '../../runtime/lifecycle.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import type { PassbackState } from '../check/passback-state.ts';
import type { ValidatorMetrics } from '../service/validator-metrics.ts';
import { passbackMemorySeconds, rebuildPassback, type RetainedJournal } from './passback-rebuild.ts';
import { keyedPassbackState, loadStationKey, type StationKey } from './station-key.ts';
import { StationPeers, type PeerLink } from './station-peers.ts';

export interface StationPassbackConfig {
  device: string;
  station: string;
  passback: { stationKeyFile?: string; rememberSingleHours: number };
  fares: { passbackSeconds: number };
}

export class StationPassback {
  readonly state: PassbackState;
  /** The station topic this gate shares on. */
  readonly topic: string;
  private readonly key: StationKey;
  private peers: StationPeers | undefined;

  constructor(
    private readonly config: StationPassbackConfig,
    rootPublicKey: KeyObject,
    private readonly nowSeconds: () => number,
    private readonly metrics: Pick<ValidatorMetrics, 'passbackShared' | 'passbackMerged'>,
    private readonly logger: Logger,
  ) {
    const { stationKeyFile } = config.passback;
    this.key = loadStationKey({ station: config.station, rootPublicKey, ...(stationKeyFile !== undefined && { stationKeyFile }) });
    this.state = keyedPassbackState(this.key.key);
    this.topic = topics.stationPassback(config.station);
  }

  /** How long accepted entries matter, seconds: what the journal must keep. */
  get memorySeconds(): number {
    return passbackMemorySeconds(this.config);
  }

  /** Reads the accepted entries of the memory window back from the journal. */
  async rebuildFrom(journal: RetainedJournal): Promise<void> {
    const merged = await rebuildPassback(journal, this.state, Math.floor(this.nowSeconds()) - this.memorySeconds);
    this.metrics.passbackMerged.inc({ source: 'journal' }, merged);
    this.logger.info({ merged, stationKey: this.key.source }, 'anti-passback memory rebuilt from the journal');
  }

  /** The part that shares over `link`; messages and subscription answers are routed here. */
  sharingOver(link: PeerLink): Part {
    const { device, station } = this.config;
    const peers = new StationPeers({ device, station, state: this.state, link, metrics: this.metrics, nowSeconds: this.nowSeconds, memorySeconds: this.memorySeconds }, this.logger);
    this.peers = peers;
    return { name: 'station peers', start: () => peers.start(), stop: () => peers.stop() };
  }

  onMessage(payload: Buffer): void {
    this.peers?.onMessage(payload);
  }

  onSubscribed(refused: string[]): void {
    this.peers?.onSubscribed(refused);
  }

  onDisconnected(): void {
    this.peers?.onDisconnected();
  }
}
