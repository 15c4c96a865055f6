import { OnoffOutputLine } from './gpio/onoff-output-line.ts';
import { SimulatedOutputLine } from './simulated/simulated-output-line.ts';
import { FakeGpioWorld } from './testing/fake-onoff.ts';
import { describeOutputLineContract } from './testing/output-line-contract.ts';
import { silentLogger } from './testing/test-support.ts';

describeOutputLineContract('SimulatedOutputLine', ({ safeOn, leftoverOn }) => {
  const line = new SimulatedOutputLine('relay', { safeOn, leftoverOn });
  return { line, onTheWire: () => line.isOn };
});

for (const activeLow of [false, true]) {
  describeOutputLineContract(`OnoffOutputLine on fake onoff, activeLow ${activeLow}`, ({ safeOn, leftoverOn }) => {
    const world = new FakeGpioWorld();
    const gpio = 529; // Pi 4 on kernel 6.6: base 512 + line 17
    if (leftoverOn) world.leaveExportedOutput(gpio, activeLow ? 0 : 1, activeLow);
    const line = new OnoffOutputLine('relay', world.driver, gpio, { activeLow, safeOn }, silentLogger);
    const onTheWire = (): boolean => (world.pin(gpio).raw === 1) !== activeLow;
    return { line, onTheWire };
  });
}
