/**
 * With `"hardware": "simulated"`, a field engineer (or a test) drives the gate from
 * stdin: each line is a scanned code, except the lines starting with `#`:
 *   #passage            a rider walks through (beam broken, then restored)
 *   #emergency on|off   the fire-alarm input
 *   #door-forced        the door-forced contact
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { SimulatedGateHardware } from '../hardware/simulated-hardware.ts';

export function driveFromLines(input: Readable, hardware: SimulatedGateHardware, logger: Logger): () => void {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const pulse = (line: { setLevel(active: boolean): void }): void => {
    line.setLevel(true);
    // Past the debounce, so the simulated input reports both edges.
    setTimeout(() => line.setLevel(false), 60);
  };
  lines.on('line', (line) => {
    if (line.length === 0) return;
    if (!line.startsWith('#')) {
      hardware.qr.present(line);
      return;
    }
    const [command, argument] = line.slice(1).trim().split(/\s+/);
    if (command === 'passage') pulse(hardware.passage);
    else if (command === 'door-forced') pulse(hardware.doorForced);
    else if (command === 'emergency') hardware.emergency.setLevel(argument === 'on');
    else logger.warn({ command }, 'unknown console command (#passage, #emergency on|off, #door-forced)');
  });
  return () => lines.close();
}
