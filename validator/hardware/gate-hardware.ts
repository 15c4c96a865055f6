import type { Logger } from 'pino';
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
  return {
    ...parts,
    start: () => startInOrder(order, logger),
    stop: () => stopInReverse(order, logger),
  };
}

/** Starts each part in order; when one fails, stops those already started (in reverse) and rethrows. */
export async function startInOrder(parts: ReadonlyArray<[string, Lifecycle]>, logger: Logger): Promise<void> {
  const started: Array<[string, Lifecycle]> = [];
  for (const entry of parts) {
    try {
      await entry[1].start();
      started.push(entry);
    } catch (error) {
      logger.error({ err: error, part: entry[0] }, 'hardware part failed to start');
      await stopInReverse(started, logger).catch(() => {
        // Each failure was logged by stopInReverse; the start error is the one to report.
      });
      throw error;
    }
  }
}

/** Stops every part in reverse order, each in its own try/catch; rethrows all failures together. */
export async function stopInReverse(parts: ReadonlyArray<[string, Lifecycle]>, logger: Logger): Promise<void> {
  const errors: unknown[] = [];
  for (const [name, part] of [...parts].reverse()) {
    try {
      await part.stop();
    } catch (error) {
      errors.push(error);
      logger.error({ err: error, part: name }, 'hardware part failed to stop');
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'some hardware parts failed to stop');
}
