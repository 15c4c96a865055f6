/**
 * An HD44780 behind a PCF8574, decoded from the expander bytes: latches a nibble on each
 * falling edge of E, starts in 8-bit mode like the real controller, and keeps DDRAM. Lets tests
 * check what a rider would see, independently of the byte generator.
 */
import { DEFAULT_PCF_BIT_MAP, DEFAULT_ROW_ADDRESSES, type PcfBitMap } from '../i2c/lcd-bytes.ts';
import type { FakeI2cDevice } from './fake-i2c-bus.ts';

export class FakeHd44780 implements FakeI2cDevice {
  readonly ddram = new Array<number>(128).fill(0x20);
  /** Every instruction executed (RS=0), as bytes; in 8-bit mode the nibble's high half. */
  readonly commands: number[] = [];
  fourBit = false;
  displayOn = false;
  backlight = false;
  private address = 0;
  private enable = true; // PCF8574 pins power up high
  private half: { nibble: number; rs: boolean } | undefined;

  constructor(
    private readonly map: PcfBitMap = DEFAULT_PCF_BIT_MAP,
    private readonly cols = 16,
    private readonly rowAddresses: readonly number[] = DEFAULT_ROW_ADDRESSES,
  ) {}

  write(bytes: Uint8Array): void {
    for (const byte of bytes) this.pins(byte);
  }

  /** The text of a row as the rider sees it. */
  row(index: number): string {
    const start = this.rowAddresses[index] ?? 0;
    return String.fromCharCode(...this.ddram.slice(start, start + this.cols));
  }

  /** How many times the cursor was sent to the first row (one per frame drawn). */
  get framesDrawn(): number {
    return this.commands.filter((command) => command === (0x80 | (this.rowAddresses[0] ?? 0))).length;
  }

  private pins(byte: number): void {
    const bit = (n: number): boolean => ((byte >> n) & 1) === 1;
    this.backlight = bit(this.map.backlight);
    const enable = bit(this.map.enable);
    if (this.enable && !enable) {
      const nibble = this.map.data.reduce((acc, pin, index) => acc | ((bit(pin) ? 1 : 0) << index), 0);
      this.latch(nibble, bit(this.map.rs));
    }
    this.enable = enable;
  }

  private latch(nibble: number, rs: boolean): void {
    if (!this.fourBit) {
      this.execute(nibble << 4, rs);
      return;
    }
    if (this.half === undefined) {
      this.half = { nibble, rs };
      return;
    }
    const value = (this.half.nibble << 4) | nibble;
    this.half = undefined;
    this.execute(value, rs);
  }

  private execute(value: number, rs: boolean): void {
    if (rs) {
      this.ddram[this.address] = value;
      this.address = (this.address + 1) & 0x7f;
      return;
    }
    this.commands.push(value);
    if (value & 0x80) this.address = value & 0x7f;
    else if ((value & 0xe0) === 0x20) this.fourBit = (value & 0x10) === 0;
    else if ((value & 0xf8) === 0x08) this.displayOn = (value & 0x04) !== 0;
    else if (value === 0x01) {
      this.ddram.fill(0x20);
      this.address = 0;
    }
  }
}
