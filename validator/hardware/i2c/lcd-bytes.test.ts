import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeHd44780 } from '../testing/fake-hd44780.ts';
import { byteBytes, checkBitMap, DEFAULT_PCF_BIT_MAP, DEFAULT_ROW_ADDRESSES, lcdFrameOps, lcdInitOps, nibbleBytes, type PcfBitMap } from './lcd-bytes.ts';

const MAP = DEFAULT_PCF_BIT_MAP;

describe('HD44780 over PCF8574 byte sequences', () => {
  it('clocks a nibble as data, data|E, data with the backlight on', () => {
    assert.deepEqual(nibbleBytes(0x3, false, MAP, true), [0x38, 0x3c, 0x38]);
    assert.deepEqual(nibbleBytes(0x3, false, MAP, false), [0x30, 0x34, 0x30]);
    assert.deepEqual(nibbleBytes(0xa, true, MAP, true), [0xa9, 0xad, 0xa9]);
  });

  it('initialises exactly as the datasheet 4-bit start-up: 3, 3, 3, 2, then 28 0C 06 01', () => {
    assert.deepEqual(lcdInitOps(MAP, true), [
      { write: [0x08] },
      { waitMs: 50 },
      { write: [0x38, 0x3c, 0x38] },
      { waitMs: 5 },
      { write: [0x38, 0x3c, 0x38] },
      { waitMs: 1 },
      { write: [0x38, 0x3c, 0x38] },
      { write: [0x28, 0x2c, 0x28] },
      { write: [0x28, 0x2c, 0x28, 0x88, 0x8c, 0x88] },
      { write: [0x08, 0x0c, 0x08, 0xc8, 0xcc, 0xc8] },
      { write: [0x08, 0x0c, 0x08, 0x68, 0x6c, 0x68] },
      { write: [0x08, 0x0c, 0x08, 0x18, 0x1c, 0x18] },
      { waitMs: 2 },
    ]);
  });

  it('writes each row as a DDRAM address then its characters, with RS set', () => {
    assert.deepEqual(lcdFrameOps(['Hi', '  '], MAP, true, DEFAULT_ROW_ADDRESSES), [
      {
        write: [0x88, 0x8c, 0x88, 0x08, 0x0c, 0x08, 0x49, 0x4d, 0x49, 0x89, 0x8d, 0x89, 0x69, 0x6d, 0x69, 0x99, 0x9d, 0x99],
      },
      {
        write: [0xc8, 0xcc, 0xc8, 0x08, 0x0c, 0x08, 0x29, 0x2d, 0x29, 0x09, 0x0d, 0x09, 0x29, 0x2d, 0x29, 0x09, 0x0d, 0x09],
      },
    ]);
  });

  it('follows another bit map (RS=P6 RW=P5 E=P4 BL=P7, D4-D7=P0-P3)', () => {
    const map: PcfBitMap = { rs: 6, rw: 5, enable: 4, backlight: 7, data: [0, 1, 2, 3] };
    assert.deepEqual(byteBytes(0x41, true, map, true), [0xc4, 0xd4, 0xc4, 0xc1, 0xd1, 0xc1]);
  });

  it('drives a model HD44780 to show the rows, including the 20x4 row addresses', () => {
    const lcd = new FakeHd44780(MAP, 20);
    const rows = ['Row zero............', 'Row one', 'Row two', 'Row three'].map((r) => r.padEnd(20));
    for (const op of [...lcdInitOps(MAP, true), ...lcdFrameOps(rows, MAP, true, DEFAULT_ROW_ADDRESSES)]) {
      if ('write' in op) lcd.write(new Uint8Array(op.write));
    }
    assert.deepEqual([0, 1, 2, 3].map((r) => lcd.row(r)), rows);
    assert.deepEqual([lcd.fourBit, lcd.displayOn, lcd.backlight], [true, true, true]);
  });

  it('resynchronises a display left half way through a byte', () => {
    const lcd = new FakeHd44780();
    for (const op of lcdInitOps(MAP, true)) if ('write' in op) lcd.write(new Uint8Array(op.write));
    lcd.write(new Uint8Array(nibbleBytes(0x4, true, MAP, true))); // a crash after one nibble
    for (const op of [...lcdInitOps(MAP, true), ...lcdFrameOps(['Go'.padEnd(16), ''.padEnd(16)], MAP, true, DEFAULT_ROW_ADDRESSES)]) {
      if ('write' in op) lcd.write(new Uint8Array(op.write));
    }
    assert.equal(lcd.row(0), 'Go'.padEnd(16));
  });

  it('refuses a bit map that is not eight distinct bits', () => {
    assert.throws(() => checkBitMap({ ...MAP, rs: 2 }), /8 distinct bits/);
    assert.throws(() => checkBitMap({ ...MAP, backlight: 8 }), /8 distinct bits/);
    checkBitMap(MAP);
  });
});
