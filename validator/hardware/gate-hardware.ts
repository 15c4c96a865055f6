import type { Logger } from 'pino';
import { PartSequence } from '../../runtime/lifecycle.ts';
import type { Display, GateHardware, InputLine, Lifecycle, OutputLine, QrReader } from './ports.ts';

/** The parts of a gate, real or simulated. */
export interface GateParts {
  relay: OutputLine;
  greenLight: OutputLine;
  redLight: OutputLine;
  buzzer: OutputLine;
  passage: InputLine;
  emergency: InputLine;
  doorForced: InputLine;
  qr: QrReader;
  display: Display;
}

/**
 * Wraps the parts with one lifecycle. Start order: outputs first (every output driven to its safe
 * level before anything can react), then inputs, the display, and the reader last (no code is
 * read before the gate can act on it). Stop runs in reverse, so outputs go safe last of all.
 */
export function composeGateHardware<P extends GateParts>(parts: P, logger: Logger): P & GateHardware {
  const order: Array<[string, Lifecycle]> = [
    ['relay', parts.relay],
    ['greenLight', parts.greenLight],
    ['redLight', parts.redLight],
    ['buzzer', parts.buzzer],
    ['passage', parts.passage],
    ['emergency', parts.emergency],
    ['doorForced', parts.doorForced],
    ['display', parts.display],
    ['qr', parts.qr],
  ];
  const sequence = new PartSequence('hardware', logger);
  const named = order.map(([name, part]) => ({ name, start: () => part.start(), stop: () => part.stop() }));
  return {
    ...parts,
    start: () => sequence.start(named),
    stop: () => sequence.stop(),
  };
}
