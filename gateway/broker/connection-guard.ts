/**
 * Limits the embedded broker enforces on raw sockets, before aedes buffers anything:
 * aedes' parser (mqtt-packet) keeps appending bytes until a whole declared packet has
 * arrived, so a client that declares a 256 MB packet would make it buffer 256 MB before
 * it is even authenticated. The guard reads each packet's fixed header (type byte and
 * remaining length) as the bytes go by and closes the socket as soon as a declared
 * length exceeds the limit of who is on the other end (tiny before CONNECT succeeds).
 * It also counts new connections per source address.
 */
import type { Socket } from 'node:net';
import { MAX_BATCH_BYTES } from '../../protocol/mqtt/messages.ts';

export interface BrokerLimits {
  /** The largest packet (remaining length) a client may send before it has authenticated: the CONNECT. */
  preAuthPacketBytes: number;
  /** The largest packet an authenticated device may send (a full 1,000-record tap batch fits). */
  devicePacketBytes: number;
  /** The largest packet the gateway's own service client may send (bundles). */
  servicePacketBytes: number;
  /** A socket that has not sent CONNECT by then is closed. */
  connectTimeoutMs: number;
  /** New connections one source address may open per window; more are closed at once. */
  connectionsPerAddress: number;
  connectionWindowMs: number;
}

export const DEFAULT_BROKER_LIMITS = {
  preAuthPacketBytes: 4 * 1024,
  // The largest tap batch and room for the topic and the header.
  devicePacketBytes: MAX_BATCH_BYTES + 1024,
  servicePacketBytes: 64 * 1024 * 1024,
  connectTimeoutMs: 10_000,
  connectionsPerAddress: 120,
  connectionWindowMs: 60_000,
} as const satisfies BrokerLimits;

/**
 * Follows MQTT framing over a byte stream: a type byte, a remaining length of one
 * to four bytes (7 bits each, low first), then that many bytes.
 * `feed` answers the declared length that broke the limit, or undefined while all is well.
 */
export class PacketSizeWatcher {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly limit: () => number) {}

  feed(chunk: Uint8Array): number | undefined {
    let index = 0;
    while (index < chunk.length) {
      if (this.state === 'body') {
        const skipped = Math.min(this.remaining, chunk.length - index);
        this.remaining -= skipped;
        index += skipped;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[index++]!;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        // A fifth length byte is malformed; treat it as over any limit.
        if (this.lengthBytes === 4) return Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.length > this.limit()) return this.length;
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 'type' : 'body';
    }
    return undefined;
  }
}

/**
 * Watches a socket aedes reads: aedes pulls with `read()`, which emits 'data'
 * synchronously before the bytes reach its parser, so the socket is destroyed before
 * an oversized packet is buffered (at most the one chunk at hand is parsed).
 * Attach after `broker.handle(socket)` so the 'data' listener does not switch the
 * socket to flowing mode.
 */
export function guardPacketSizes(socket: Socket, limit: () => number, onRefused: (declared: number) => void): void {
  const watcher = new PacketSizeWatcher(limit);
  socket.on('data', (chunk: Buffer) => {
    if (socket.destroyed) return;
    const declared = watcher.feed(chunk);
    if (declared === undefined) return;
    onRefused(declared);
    socket.destroy();
  });
}

/** Fixed-window counts of new connections per source address. */
export class ConnectionRateLimit {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one connection from `address`; false when it is over the limit. */
  admit(address: string): boolean {
    const now = this.now();
    if (this.windows.size > 10_000) this.forgetExpired(now);
    const window = this.windows.get(address);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.windows.set(address, { startedAt: now, count: 1 });
      return this.perWindow >= 1;
    }
    window.count++;
    return window.count <= this.perWindow;
  }

  private forgetExpired(now: number): void {
    for (const [address, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
  }
}
