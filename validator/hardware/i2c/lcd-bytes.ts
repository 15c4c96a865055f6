/**
 * The bytes an HD44780 character LCD behind a PCF8574 I2C backpack needs. Pure, so tests can
 * assert the exact sequence. Each 4-bit nibble is three expander writes (data, data|E, data):
 * the LCD latches on E's falling edge.
 */

/** Which expander bit (0-7) drives each LCD pin. */
export interface PcfBitMap {
  rs: number;
  rw: number;
  enable: number;
  backlight: number;
  /** Bits for D4, D5, D6, D7. */
  data: readonly [number, number, number, number];
}

export const DEFAULT_PCF_BIT_MAP = {
  rs: 0,
  rw: 1,
  enable: 2,
  backlight: 3,
  data: [4, 5, 6, 7],
} as const satisfies PcfBitMap;

/** DDRAM address of each row's first column (16x2, 20x4; 16x4 modules use 0x00 0x40 0x10 0x50). */
export const DEFAULT_ROW_ADDRESSES: readonly number[] = [0x00, 0x40, 0x14, 0x54];

/** One I2C write of expander bytes, or a pause. */
export type LcdOp = { write: number[] } | { waitMs: number };

/** Throws when the map is not eight distinct bits; `rw` is driven low (write) always. */
export function checkBitMap(map: PcfBitMap): void {
  const bits = [map.rs, map.rw, map.enable, map.backlight, ...map.data];
  const valid = bits.every((bit) => Number.isInteger(bit) && bit >= 0 && bit <= 7);
  if (!valid || new Set(bits).size !== bits.length) {
    throw new Error(`invalid PCF8574 bit map ${JSON.stringify(map)}: need 8 distinct bits 0-7`);
  }
}

/** The three expander bytes that clock one nibble into the LCD. */
export function nibbleBytes(nibble: number, rs: boolean, map: PcfBitMap, backlight: boolean): number[] {
  let byte = (rs ? 1 << map.rs : 0) | (backlight ? 1 << map.backlight : 0);
  map.data.forEach((bit, index) => {
    if ((nibble >> index) & 1) byte |= 1 << bit;
  });
  return [byte, byte | (1 << map.enable), byte];
}

/** A whole byte (command when `rs` is false, character when true): high nibble first. */
export function byteBytes(value: number, rs: boolean, map: PcfBitMap, backlight: boolean): number[] {
  return [...nibbleBytes((value >> 4) & 0x0f, rs, map, backlight), ...nibbleBytes(value & 0x0f, rs, map, backlight)];
}

/**
 * The 4-bit start-up (HD44780 datasheet, "initializing by instruction"): it works from any state,
 * including a display left mid-byte by a crashed process, so it is also the recovery after an error.
 */
export function lcdInitOps(map: PcfBitMap, backlight: boolean): LcdOp[] {
  const nibble = (value: number): LcdOp => ({ write: nibbleBytes(value, false, map, backlight) });
  const command = (value: number): LcdOp => ({ write: byteBytes(value, false, map, backlight) });
  return [
    // The PCF8574 powers up with every pin high (E included): set the idle level first so the
    // first real nibble is the first falling edge of E that matters.
    { write: [backlight ? 1 << map.backlight : 0] },
    { waitMs: 50 }, // > 40 ms after power-up
    nibble(0x3),
    { waitMs: 5 }, // >= 4.1 ms
    nibble(0x3),
    { waitMs: 1 }, // >= 100 us
    nibble(0x3),
    nibble(0x2), // 4-bit interface from here on
    command(0x28), // 4-bit, 2 lines, 5x8 font
    command(0x0c), // display on, cursor off, blink off
    command(0x06), // entry mode: increment, no shift
    command(0x01), // clear
    { waitMs: 2 }, // clear takes about 1.6 ms
  ];
}

/**
 * Writes already-fitted rows (see display-text.ts), one I2C write per row: set the DDRAM address,
 * then the characters. No clear: overwriting padded rows does not flicker. Commands other than
 * clear/home need 40 us, less than the I2C time of the next nibble, so no waits are needed.
 */
export function lcdFrameOps(rows: readonly string[], map: PcfBitMap, backlight: boolean, rowAddresses: readonly number[]): LcdOp[] {
  return rows.map((row, index) => {
    const bytes = byteBytes(0x80 | (rowAddresses[index] ?? 0), false, map, backlight);
    for (let i = 0; i < row.length; i++) bytes.push(...byteBytes(row.charCodeAt(i) & 0xff, true, map, backlight));
    return { write: bytes };
  });
}
