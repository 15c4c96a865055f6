import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { FakeHd44780 } from '../testing/fake-hd44780.ts';
import { FakeI2cBus } from '../testing/fake-i2c-bus.ts';
import { captureLogger, silentLogger, useFakeClock } from '../testing/test-support.ts';
import { lcdFrameOps, lcdInitOps } from './lcd-bytes.ts';
import { DEFAULT_LCD_SETTINGS, LcdDisplay, type LcdSettings } from './lcd-display.ts';

describe('LCD display on I2C', () => {
  let sandbox: sinon.SinonSandbox;
  let clock: sinon.SinonFakeTimers;
  let bus: FakeI2cBus;
  let lcd: FakeHd44780;
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    clock = useFakeClock(sandbox);
    bus = new FakeI2cBus();
    lcd = new FakeHd44780();
  });
  afterEach(() => sandbox.restore());

  const start = async (display: LcdDisplay): Promise<void> => {
    const starting = display.start();
    await clock.tickAsync(100);
    await starting;
  };
  const writes = (ops: ReturnType<typeof lcdInitOps>): number[][] => ops.flatMap((op) => ('write' in op ? [op.write] : []));

  it('writes exactly the init sequence, then the fitted text, to its address', async () => {
    bus.attach(0x27, lcd);
    const display = new LcdDisplay('display', bus, DEFAULT_LCD_SETTINGS, silentLogger);
    await start(display);
    display.show('Go');
    await clock.tickAsync(10);
    const { bitMap, rowAddresses } = DEFAULT_LCD_SETTINGS;
    const frame = lcdFrameOps(['Go'.padEnd(16), ''.padEnd(16)], bitMap, true, rowAddresses);
    assert.deepEqual(bus.writesTo(0x27), [...writes(lcdInitOps(bitMap, true)), ...writes(frame)]);
  });

  it('waits the datasheet times between the start-up nibbles', async () => {
    bus.attach(0x27, lcd);
    const times: number[] = [];
    const write = bus.i2cWrite.bind(bus);
    sandbox.stub(bus, 'i2cWrite').callsFake((address, length, buffer) => {
      times.push(clock.now);
      return write(address, length, buffer);
    });
    await start(new LcdDisplay('display', bus, DEFAULT_LCD_SETTINGS, silentLogger));
    const [idle = 0, first = 0, second = 0, third = 0] = times;
    assert.ok(first - idle > 40 && second - first >= 4.1 && third - second >= 0.1, `times ${times.join(',')}`);
  });

  it('says which display is missing, and when the bus itself is', async () => {
    await assert.rejects(
      new LcdDisplay('display', bus, DEFAULT_LCD_SETTINGS, silentLogger).start(),
      /no character display at 0x27 on I2C bus 1 is answering \(EREMOTEIO\)/,
    );
    bus.present = false;
    await assert.rejects(new LcdDisplay('display', bus, DEFAULT_LCD_SETTINGS, silentLogger).start(), /no \/dev\/i2c-1/);
  });

  it('refuses a bad bit map and too few row addresses at start', async () => {
    bus.attach(0x27, lcd);
    const badMap: LcdSettings = { ...DEFAULT_LCD_SETTINGS, bitMap: { ...DEFAULT_LCD_SETTINGS.bitMap, enable: 0 } };
    await assert.rejects(new LcdDisplay('display', bus, badMap, silentLogger).start(), /8 distinct bits/);
    const tall: LcdSettings = { ...DEFAULT_LCD_SETTINGS, rows: 4, rowAddresses: [0, 0x40] };
    await assert.rejects(new LcdDisplay('display', bus, tall, silentLogger).start(), /4 rows but 2 row addresses/);
  });

  it('recovers after failed writes by initialising again, logging the failure once', async () => {
    bus.attach(0x27, lcd);
    const { logger, lines } = captureLogger();
    const display = new LcdDisplay('display', bus, DEFAULT_LCD_SETTINGS, logger);
    await start(display);
    bus.failNext(0x27, 'EREMOTEIO', 6); // two texts, three attempts each
    display.show('Lost');
    await clock.tickAsync(10);
    display.show('Lost too');
    await clock.tickAsync(10);
    display.show('Back');
    await clock.tickAsync(100);
    assert.equal(lcd.row(0), 'Back'.padEnd(16));
    assert.equal(lcd.commands.filter((command) => command === 0x28).length, 2);
    assert.equal(lines.filter((line) => line.msg?.startsWith('display write failed')).length, 1);
    assert.equal(lines.filter((line) => line.msg === 'display writing again').length, 1);
  });

  it('blanks the lower rows of a 20x4 display', async () => {
    const big = new FakeHd44780(DEFAULT_LCD_SETTINGS.bitMap, 20);
    bus.attach(0x3f, big);
    const settings: LcdSettings = { ...DEFAULT_LCD_SETTINGS, address: 0x3f, cols: 20, rows: 4 };
    const display = new LcdDisplay('display', bus, settings, silentLogger);
    await start(display);
    display.show('Please tap again', 'Code not read');
    await clock.tickAsync(10);
    assert.deepEqual([0, 1, 2, 3].map((r) => big.row(r).trimEnd()), ['Please tap again', 'Code not read', '', '']);
  });
});
