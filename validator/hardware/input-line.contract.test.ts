import { OnoffInputLine } from './gpio/onoff-input-line.ts';
import { SimulatedInputLine } from './simulated/simulated-input-line.ts';
import { FakeGpioWorld } from './testing/fake-onoff.ts';
import { describeInputLineContract } from './testing/input-line-contract.ts';
import { silentLogger } from './testing/test-support.ts';

describeInputLineContract('SimulatedInputLine', ({ debounceMs, initial }) => {
  const line = new SimulatedInputLine('passage', { debounceMs, initial });
  return { line, drive: (active) => line.setLevel(active) };
});

for (const activeLow of [false, true]) {
  describeInputLineContract(`OnoffInputLine on fake onoff, activeLow ${activeLow}`, ({ debounceMs, initial }) => {
    const world = new FakeGpioWorld();
    const gpio = 576; // Pi 5: base 571 + line 5
    const raw = (active: boolean): 0 | 1 => (active !== activeLow ? 1 : 0);
    world.setRaw(gpio, raw(initial));
    const line = new OnoffInputLine('passage', world.driver, gpio, { activeLow, debounceMs }, silentLogger);
    return { line, drive: (active) => world.setRaw(gpio, raw(active)) };
  });
}
