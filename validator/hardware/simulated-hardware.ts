import type { Logger } from 'pino';
import { composeGateHardware } from './gate-hardware.ts';
import type { GateHardware } from './ports.ts';
import { SimulatedDisplay } from './simulated/simulated-display.ts';
import { SimulatedInputLine } from './simulated/simulated-input-line.ts';
import { SimulatedOutputLine } from './simulated/simulated-output-line.ts';
import { SimulatedQrReader } from './simulated/simulated-qr-reader.ts';
import { systemTimers, type Timers } from './timers.ts';

export interface SimulatedHardwareOptions {
  timers?: Timers;
  /** Debounce of the simulated inputs, ms (default 20, as the real default). */
  debounceMs?: number;
  repeatWindowMs?: number;
  cols?: number;
  rows?: number;
}

/** The simulated gate: the ports typed as their simulated classes, so the simulator can drive them. */
export interface SimulatedGateHardware extends GateHardware {
  readonly relay: SimulatedOutputLine;
  readonly greenLight: SimulatedOutputLine;
  readonly redLight: SimulatedOutputLine;
  readonly buzzer: SimulatedOutputLine;
  readonly passage: SimulatedInputLine;
  readonly emergency: SimulatedInputLine;
  readonly doorForced: SimulatedInputLine;
  readonly qr: SimulatedQrReader;
  readonly display: SimulatedDisplay;
}

/** Builds a complete simulated gate (for `"hardware": "simulated"`, the simulator and tests). */
export function createSimulatedHardware(logger: Logger, options: SimulatedHardwareOptions = {}): SimulatedGateHardware {
  const timers = options.timers ?? systemTimers;
  const log = logger.child({ module: 'hardware', backend: 'simulated' });
  const output = (name: string): SimulatedOutputLine =>
    new SimulatedOutputLine(name, { timers, logger: log.child({ part: name }) });
  const input = (name: string): SimulatedInputLine =>
    new SimulatedInputLine(name, { timers, debounceMs: options.debounceMs ?? 20, logger: log.child({ part: name }) });
  return composeGateHardware(
    {
      relay: output('relay'),
      greenLight: output('greenLight'),
      redLight: output('redLight'),
      buzzer: output('buzzer'),
      passage: input('passage'),
      emergency: input('emergency'),
      doorForced: input('doorForced'),
      qr: new SimulatedQrReader('qr', { timers, repeatWindowMs: options.repeatWindowMs, logger: log.child({ part: 'qr' }) }),
      display: new SimulatedDisplay('display', { timers, cols: options.cols, rows: options.rows, logger: log.child({ part: 'display' }) }),
    },
    log,
  );
}
