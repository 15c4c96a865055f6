import { LcdDisplay, DEFAULT_LCD_SETTINGS } from './i2c/lcd-display.ts';
import { SimulatedDisplay } from './simulated/simulated-display.ts';
import { describeDisplayContract } from './testing/display-contract.ts';
import { FakeHd44780 } from './testing/fake-hd44780.ts';
import { FakeI2cBus } from './testing/fake-i2c-bus.ts';
import { silentLogger } from './testing/test-support.ts';

describeDisplayContract('SimulatedDisplay', () => {
  const display = new SimulatedDisplay('display');
  return {
    display,
    screen: () => [...display.text],
    framesDrawn: () => display.frames.length,
    hold: () => display.hold(),
    release: () => display.release(),
  };
});

describeDisplayContract('LcdDisplay on a fake bus and HD44780', () => {
  const bus = new FakeI2cBus();
  const lcd = new FakeHd44780();
  bus.attach(0x27, lcd);
  const display = new LcdDisplay('display', bus, DEFAULT_LCD_SETTINGS, silentLogger);
  return {
    display,
    screen: () => [lcd.row(0), lcd.row(1)],
    framesDrawn: () => lcd.framesDrawn,
    hold: () => bus.hold(),
    release: () => bus.release(),
  };
});
