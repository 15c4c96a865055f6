/** The options that place a gate (zone, mode, direction), shared by `validator check` and `gateway device add`. */
import { MODES, type Mode } from '../../protocol/ticket/claims.ts';
import type { Direction } from '../../protocol/uplink/tap-record.ts';
import { required, UsageError, type Options } from './args.ts';

/** The options that place a gate: --zone, --mode, --direction (entry by default). */
export const GATE_PLACE_OPTIONS = {
  zone: { type: 'string' },
  mode: { type: 'string' },
  direction: { type: 'string', default: 'entry' },
} as const satisfies Options;

export function parseGatePlace(values: Record<string, unknown>): { zone: number; mode: Mode; direction: Direction } {
  const zone = required(values, 'zone');
  if (!/^\d+$/.test(zone)) throw new UsageError(`--zone: "${zone}" is not a zone number`);
  const mode = required(values, 'mode');
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: must be one of ${MODES.join(', ')}`);
  const direction = values.direction;
  if (direction !== 'entry' && direction !== 'exit') throw new UsageError('--direction: must be entry or exit');
  return { zone: Number(zone), mode: mode as Mode, direction };
}
