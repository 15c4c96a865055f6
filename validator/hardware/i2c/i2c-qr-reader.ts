import type { Logger } from 'pino';
import { ListenerSet } from '../listener-set.ts';
import type { CodeListener, QrReader } from '../ports.ts';
import { DEFAULT_REPEAT_WINDOW_MS, RepeatFilter } from '../repeat-filter.ts';
import { systemTimers, type TimerHandle, type Timers } from '../timers.ts';
import { describeI2cFailure, errorCode, withI2cRetries, type I2cBus } from './i2c-bus.ts';
import { parseQrPacket, QR_PACKET_SIZE, type QrPacket } from './qr-packet.ts';

export interface I2cQrReaderSettings {
  busNumber: number;
  address: number;
  /** The module scans about 5 times a second and has no interrupt line: poll at about that rate. */
  pollIntervalMs: number;
  /** Attempts per read when the bus reports a transient error (EREMOTEIO). */
  attempts: number;
  repeatWindowMs: number;
}

export const DEFAULT_I2C_QR_SETTINGS = {
  busNumber: 1,
  address: 0x0c,
  pollIntervalMs: 200,
  attempts: 3,
  repeatWindowMs: DEFAULT_REPEAT_WINDOW_MS,
} as const satisfies I2cQrReaderSettings;

/** A Tiny Code Reader style QR module on I2C, polled. */
export class I2cQrReader implements QrReader {
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private failures = 0;
  private readonly filter: RepeatFilter;
  private readonly rejectLog: RepeatFilter;
  private readonly listeners: ListenerSet<string>;

  constructor(
    readonly name: string,
    private readonly bus: I2cBus,
    private readonly settings: I2cQrReaderSettings,
    private readonly logger: Logger,
    private readonly timers: Timers = systemTimers,
  ) {
    this.filter = new RepeatFilter(settings.repeatWindowMs, timers);
    // A bad code held in view is read five times a second; log its rejection once.
    this.rejectLog = new RepeatFilter(settings.repeatWindowMs, timers);
    this.listeners = new ListenerSet((error) => this.logger.error({ err: error }, 'code listener failed'));
  }

  /** Probes the module (rejects with a clear message when bus or module is missing), then polls. */
  async start(): Promise<void> {
    if (this.running) return;
    try {
      await this.readPacket();
    } catch (error) {
      throw describeI2cFailure(error, { ...this.settings, device: 'QR reader' });
    }
    this.running = true;
    this.failures = 0;
    this.schedule();
    this.logger.info({ address: this.settings.address, pollIntervalMs: this.settings.pollIntervalMs }, 'QR reader polling');
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    this.filter.reset();
  }

  onCode(listener: CodeListener): () => void {
    return this.listeners.add(listener);
  }

  /** One poll after the other, never overlapping: the next is scheduled when a read has finished. */
  private schedule(): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.poll().finally(() => {
        this.inFlight = undefined;
        if (this.running) this.schedule();
      });
    }, this.settings.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    let packet: QrPacket;
    try {
      packet = await this.readPacket();
    } catch (error) {
      this.failures++;
      // Log the first failure of a streak, not five a second while the module is unplugged.
      if (this.failures === 1) this.logger.warn({ err: error, code: errorCode(error) }, 'QR reader read failed; still polling');
      return;
    }
    if (this.failures > 0) this.logger.info({ failures: this.failures }, 'QR reader answering again');
    this.failures = 0;
    if (!this.running) return;
    if (packet.kind === 'code' && this.filter.accept(packet.text)) this.listeners.emit(packet.text);
    if (packet.kind === 'rejected' && this.rejectLog.accept(packet.reason)) {
      this.logger.warn({ reason: packet.reason }, 'QR reader packet rejected');
    }
  }

  private async readPacket(): Promise<QrPacket> {
    const { address, attempts } = this.settings;
    const buffer = Buffer.alloc(QR_PACKET_SIZE);
    // Plain i2cRead: SMBus block reads stop at 32 bytes.
    const { bytesRead } = await withI2cRetries(() => this.bus.i2cRead(address, QR_PACKET_SIZE, buffer), attempts);
    return parseQrPacket(buffer.subarray(0, bytesRead));
  }
}
