/**
 * A fake i2c-bus `PromisifiedBus` with devices behind it and scripted faults: a missing
 * `/dev/i2c-N` (ENOENT on the first transfer, as the real library does), absent devices
 * (EREMOTEIO, the Pi's NACK), transient failures, and writes held to make a device slow.
 */
import type { ClosableI2cBus } from '../real-hardware.ts';

export interface FakeI2cDevice {
  read?(length: number): Uint8Array;
  write?(bytes: Uint8Array): void;
}

export interface I2cTransfer {
  kind: 'read' | 'write';
  address: number;
  bytes: number[];
}

function busError(code: string): Error {
  return Object.assign(new Error(`${code}, fake i2c failure`), { code });
}

export class FakeI2cBus implements ClosableI2cBus {
  /** When false, every transfer fails with ENOENT (no /dev/i2c-N). */
  present = true;
  closed = false;
  readonly transfers: I2cTransfer[] = [];
  private readonly devices = new Map<number, FakeI2cDevice>();
  private readonly failures: Array<{ address: number; code: string }> = [];
  private held: { promise: Promise<void>; release: () => void } | undefined;

  attach(address: number, device: FakeI2cDevice): void {
    this.devices.set(address, device);
  }

  /** The next `count` transfers to `address` fail with `code`. */
  failNext(address: number, code: string, count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push({ address, code });
  }

  /** Makes writes wait until `release()` (a slow or wedged device). */
  hold(): void {
    if (this.held !== undefined) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  writesTo(address: number): number[][] {
    return this.transfers.filter((t) => t.kind === 'write' && t.address === address).map((t) => t.bytes);
  }

  async i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }> {
    const device = this.check(address);
    const data = device.read?.(length) ?? new Uint8Array(0);
    const bytesRead = Math.min(length, data.length, buffer.length);
    buffer.set(data.subarray(0, bytesRead));
    this.transfers.push({ kind: 'read', address, bytes: [...buffer.subarray(0, bytesRead)] });
    return { bytesRead, buffer };
  }

  async i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }> {
    while (this.held !== undefined) await this.held.promise;
    const device = this.check(address);
    const bytes = buffer.subarray(0, length);
    this.transfers.push({ kind: 'write', address, bytes: [...bytes] });
    device.write?.(bytes);
    return { bytesWritten: bytes.length, buffer };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(address: number): FakeI2cDevice {
    if (!this.present) throw busError('ENOENT');
    const index = this.failures.findIndex((failure) => failure.address === address);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      throw busError(failure?.code ?? 'EIO');
    }
    const device = this.devices.get(address);
    if (device === undefined) throw busError('EREMOTEIO');
    return device;
  }
}

/** A Tiny Code Reader: answers every read with the packet for the code in view (or length 0). */
export class FakeTinyCodeReader implements FakeI2cDevice {
  /** Raw packet override (for malformed packets); else built from `inView`. */
  packet: Uint8Array | undefined;
  inView: string | undefined;

  read(length: number): Uint8Array {
    if (this.packet !== undefined) return this.packet.subarray(0, length);
    const out = new Uint8Array(256);
    const content = Buffer.from(this.inView ?? '', 'latin1').subarray(0, 254);
    out[0] = content.length & 0xff;
    out[1] = content.length >> 8;
    out.set(content, 2);
    return out.subarray(0, length);
  }
}
