/**
 * A station of gates running the real validator service on simulated hardware,
 * registered with a gateway and connected to its broker, in this process.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PartSequence, type Part } from '../runtime/lifecycle.ts';
import type { Mode } from '../protocol/ticket/claims.ts';
import type { Direction } from '../protocol/uplink/tap-record.ts';
import { KEYS_FILES } from '../keys/keys-dir.ts';
import { parseValidatorConfig } from '../validator/config/validator-config.ts';
import { createSimulatedHardware, type SimulatedGateHardware } from '../validator/hardware/simulated-hardware.ts';
import { ValidatorService } from '../validator/service/validator-service.ts';
import type { DeviceCredentials } from '../gateway/fleet/device-credentials.ts';

export interface StationOptions {
  station: string;
  zone: number;
  mode: Mode;
  gates: Array<{ id: string; direction: Direction }>;
  keysDir: string;
  brokerUrl: string;
  stateDir: string;
}

export interface SimulatedGate {
  id: string;
  direction: Direction;
  hardware: SimulatedGateHardware;
  service: ValidatorService;
}

export class SimulatedStation {
  readonly gates: SimulatedGate[] = [];
  private readonly parts: PartSequence;

  constructor(
    private readonly options: StationOptions,
    private readonly devices: DeviceCredentials,
    private readonly logger: Logger,
  ) {
    this.parts = new PartSequence('simulated station', logger);
  }

  /** Registers every gate, then starts them in order (runtime/lifecycle.ts). */
  async start(): Promise<void> {
    const { options } = this;
    const parts: Part[] = [];
    for (const gate of options.gates) {
      const credentials = await this.devices.register({ id: gate.id, station: options.station, zone: options.zone, mode: options.mode, direction: gate.direction });
      const config = parseValidatorConfig({
        device: gate.id,
        station: options.station,
        zone: options.zone,
        mode: options.mode,
        direction: gate.direction,
        stateDir: join(options.stateDir, gate.id),
        rootPublicKeyFile: join(options.keysDir, KEYS_FILES.rootPublic),
        // Installed with the gate, as on a Pi: it works before it first reaches the gateway.
        seedBundles: { trustList: join(options.keysDir, KEYS_FILES.trustList), denyList: join(options.keysDir, KEYS_FILES.denyList) },
        hardware: 'simulated',
        mqtt: { url: options.brokerUrl, username: credentials.username, password: credentials.password, batchMaxDelayMs: 50 },
        http: { port: 0 },
      }, `simulated gate ${gate.id}`);
      const log = this.logger.child({ gate: gate.id });
      const hardware = createSimulatedHardware(log);
      const service = new ValidatorService(config, log, { hardware });
      this.gates.push({ id: gate.id, direction: gate.direction, hardware, service });
      parts.push({ name: gate.id, start: () => service.start(), stop: () => service.stop() });
    }
    await this.parts.start(parts);
  }

  /** Stops the gates in reverse; a gate that does not stop cleanly is logged and the others still stop. */
  async stop(): Promise<void> {
    await this.parts.stop().catch(() => {
      // PartSequence logged each failure with the gate's name; a demo station has no one to report to.
    });
  }
}
