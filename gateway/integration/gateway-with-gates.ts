/**
 * A fixture of the acceptance tests with real processes (tests only): a fresh gateway on free
 * ports in a temp directory, gates registered through its API with a validator config each,
 * and validators started until they are connected. Everything it starts is stopped by the
 * cleanups it pushes, in reverse.
 */
import { join } from 'node:path';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { GatewayApi, startGateway, waitUntil, writeValidatorConfig, type GatePlace, type GatewayAddresses, type GatewayProcess } from './gateway-harness.ts';

export type Cleanups = Array<() => Promise<void>>;

export class GatewayWithGates {
  private readonly running: ValidatorProcess[] = [];

  private constructor(
    readonly dir: string,
    public gateway: GatewayProcess,
    readonly addresses: GatewayAddresses,
    readonly api: GatewayApi,
    readonly keys: TestKeys,
    private readonly cleanups: Cleanups,
    private readonly extraArgs: string[],
  ) {}

  /** `extraArgs` go to every start of the gateway (e.g. --fare-feed DIR, --config FILE). */
  static async start(name: string, cleanups: Cleanups, extraArgs: string[] = []): Promise<GatewayWithGates> {
    const { dir, remove } = await makeTempDir(name);
    cleanups.push(remove);
    const dataDir = join(dir, 'gateway');
    const { gateway, addresses } = await startGateway(['--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0', ...extraArgs], { expectToken: true });
    cleanups.push(async () => void (await gateway.stop(3000)));
    const api = new GatewayApi(addresses.httpUrl, addresses.token!);
    const fixture = new GatewayWithGates(dir, gateway, addresses, api, TestKeys.fromDir(join(dataDir, 'keys')), cleanups, extraArgs);
    cleanups.push(async () => void (await Promise.all(fixture.running.map((v) => v.stop()))));
    return fixture;
  }

  /** Stops the gateway (SIGTERM) and starts it again on the same ports and data directory. */
  async restartGateway(): Promise<void> {
    const stopped = await this.gateway.stop();
    if (stopped.code !== 0) throw new Error(`the gateway did not stop cleanly: ${this.gateway.describe()}`);
    const ports = ['--mqtt-port', String(this.addresses.mqttPort), '--http-port', String(this.addresses.httpPort)];
    const { gateway } = await startGateway(['--data-dir', join(this.dir, 'gateway'), ...ports, ...this.extraArgs], { label: 'gateway (restarted)' });
    this.gateway = gateway;
    this.cleanups.push(async () => void (await gateway.stop(3000)));
  }

  /** The state directory of a gate registered here. */
  stateDir(device: string): string {
    return join(this.dir, device);
  }

  /** Registers a gate and writes its validator config; returns the config file. */
  async register(device: string, station: string, place: GatePlace = {}): Promise<string> {
    const mqtt = await this.api.registerDevice(device, station, place);
    return writeValidatorConfig({ file: join(this.dir, `${device}.json`), device, station, stateDir: this.stateDir(device), keys: this.keys, mqtt, ...place });
  }

  /** Starts a validator on a config file and waits until it is connected to the gateway. */
  async startValidator(file: string): Promise<ValidatorProcess> {
    const validator = new ValidatorProcess(file);
    this.running.push(validator);
    await validator.ready();
    await waitUntil('the validator is connected', async () => (await validator.health()).uplink.connected, { detail: () => validator.stderr });
    return validator;
  }
}
