/**
 * Commands for gates that may be offline: each is recorded in the ledger before it is
 * published retained on the gate's command topic, so the gate gets it when it connects,
 * also after a gateway or broker restart (republished from the ledger). A command not
 * collected within its time to live is withdrawn (the retained message cleared, a log
 * line): a gate that comes back a week later must not act on a stale order.
 */
import type { Logger } from 'pino';
import { topics } from '../../protocol/mqtt/topics.ts';
import type { Ledger } from '../ledger/ledger.ts';

const COMMAND_TYPE_PREFIX = 'command:';
const RETAINED = { qos: 1, retain: true } as const;

export interface CommandPublisher {
  publish(topic: string, payload: Buffer | Uint8Array, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
}

export class CommandQueue {
  /** Devices whose expired command this process already withdrew. */
  private readonly withdrawn = new Set<string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly broker: CommandPublisher,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  async send(device: string, version: number, bytes: Uint8Array): Promise<void> {
    await this.ledger.putBundle({ type: `${COMMAND_TYPE_PREFIX}${device}`, version, bytes, publishedAt: Date.now() });
    this.withdrawn.delete(device);
    await this.broker.publish(topics.command(device), bytes, RETAINED);
  }

  /** Publishes every pending command again and withdraws the expired ones; returns the counts. */
  async republish(now = Date.now()): Promise<{ pendingCommands: number; withdrawnCommands: number }> {
    let pendingCommands = 0;
    let withdrawnCommands = 0;
    for (const bundle of await this.ledger.latestBundles()) {
      if (!bundle.type.startsWith(COMMAND_TYPE_PREFIX)) continue;
      const device = bundle.type.slice(COMMAND_TYPE_PREFIX.length);
      if (now - bundle.publishedAt < this.ttlMs) {
        await this.broker.publish(topics.command(device), bundle.bytes, RETAINED);
        pendingCommands++;
      } else if (!this.withdrawn.has(device)) {
        await this.broker.publish(topics.command(device), Buffer.alloc(0), RETAINED);
        this.withdrawn.add(device);
        withdrawnCommands++;
        this.logger.warn({ device, version: bundle.version, publishedAt: new Date(bundle.publishedAt).toISOString() }, 'command not collected within its time to live; withdrawn');
      }
    }
    return { pendingCommands, withdrawnCommands };
  }
}
