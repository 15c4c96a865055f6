/**
 * `npm run gateway -- device add --id ID --station S --zone N --mode M [--direction entry|exit]
 *  [--config FILE] [--data-dir DIR] [--mosquitto-dir DIR] [--password-file FILE]`: registers a gate in
 * the ledger and prints its MQTT credentials once. With --password-file, the password goes into that
 * file (mode 0600, what the validator's mqtt.passwordFile reads) instead of onto the screen. With
 * --mosquitto-dir, also adds it to Mosquitto's password and ACL files (then reload Mosquitto with SIGHUP).
 * `device remove --id ID`: deletes a gate's registration (its records stay); with --mosquitto-dir
 * also from Mosquitto's files. A running gateway's embedded broker refuses its password at the next
 * connect; to end a live session at once, use the API (DELETE /api/devices/{id}).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../runtime/atomic-file.ts';
import { makePrivateDir } from '../runtime/private-files.ts';
import { parseCommandArgs, required, UsageError } from '../runtime/cli/args.ts';
import { GATE_PLACE_OPTIONS, parseGatePlace } from '../runtime/cli/gate-place.ts';
import { loadGatewayConfig } from './config/gateway-config.ts';
import { DeviceCredentials } from './fleet/device-credentials.ts';
import { openLedger } from './ledger/open-ledger.ts';
import { updateMosquittoFiles } from './mosquitto/mosquitto-files.ts';
import { SERVICE_USER } from './service/gateway-service.ts';

export const DEVICE_USAGE = `device add --id ID --station S --zone N --mode M [--direction entry|exit] [--config FILE] [--data-dir DIR]
        [--mosquitto-dir DIR] [--password-file FILE] [--fare-stop STOP_ID] [--fare-network NETWORK_ID]
        registers a gate and prints its MQTT credentials
        (once; with --password-file the password goes into FILE, mode 0600)
    device remove --id ID [--config FILE] [--data-dir DIR] [--mosquitto-dir DIR]
        deletes a gate's registration (its records stay); its password stops working`;

type Print = (line: string) => void;

export async function deviceCommand(args: string[], print: Print = (line) => void process.stdout.write(`${line}\n`)): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'add') return addDevice(rest, print);
  if (sub === 'remove') return removeDevice(rest, print);
  throw new UsageError(`${sub === undefined ? 'no device command' : `unknown device command "${sub}"`}\nusage: npm run gateway -- ${DEVICE_USAGE}`);
}

async function removeDevice(args: string[], print: Print): Promise<void> {
  const { values } = parseCommandArgs(args, { id: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' }, 'mosquitto-dir': { type: 'string' } });
  const id = required(values, 'id');
  const config = loadGatewayConfig(values.config as string | undefined, values['data-dir'] ? { dataDir: values['data-dir'] as string } : {});
  const ledger = openLedger(config);
  await ledger.start();
  try {
    if (!(await ledger.removeDevice(id))) throw new UsageError(`--id: device ${id} is not registered`);
    if (values['mosquitto-dir'] !== undefined) {
      const devices = (await ledger.listDevices()).map((device) => ({ device: device.id, station: device.station }));
      const serviceUser = config.mqtt.mode === 'external' ? config.mqtt.username : SERVICE_USER;
      updateMosquittoFiles(values['mosquitto-dir'] as string, [], serviceUser, devices, [id]);
    }
    print(JSON.stringify({ device: id, removed: true }));
  } finally {
    await ledger.stop();
  }
}

async function addDevice(rest: string[], print: Print): Promise<void> {
  const { values } = parseCommandArgs(rest, {
    id: { type: 'string' },
    station: { type: 'string' },
    ...GATE_PLACE_OPTIONS,
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    'mosquitto-dir': { type: 'string' },
    'password-file': { type: 'string' },
    'fare-stop': { type: 'string' },
    'fare-network': { type: 'string' },
  });
  const passwordFile = values['password-file'] as string | undefined;
  if (passwordFile !== undefined && !existsSync(dirname(resolve(passwordFile)))) {
    throw new UsageError(`--password-file: directory ${dirname(passwordFile)} does not exist`);
  }
  const place = parseGatePlace(values);
  const config = loadGatewayConfig(values.config as string | undefined, values['data-dir'] ? { dataDir: values['data-dir'] as string } : {});
  // A gate may be registered before the gateway's first start: the SQLite file's directory may not exist yet.
  if (config.ledger.kind === 'sqlite') makePrivateDir(config.dataDir);
  const ledger = openLedger(config);
  await ledger.start();
  try {
    const service = config.mqtt.mode === 'external' ? { username: config.mqtt.username, password: config.mqtt.password } : { username: SERVICE_USER, password: '' };
    const credentials = new DeviceCredentials(ledger, service);
    let issued;
    try {
      issued = await credentials.register({
        id: required(values, 'id'),
        station: required(values, 'station'),
        ...place,
        ...(values['fare-stop'] !== undefined && { fareStop: values['fare-stop'] as string }),
        ...(values['fare-network'] !== undefined && { fareNetwork: values['fare-network'] as string }),
      });
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^id:/, '--id:'));
    }
    if (values['mosquitto-dir'] !== undefined) {
      const devices = (await ledger.listDevices()).map((device) => ({ device: device.id, station: device.station }));
      const users = [issued, ...(config.mqtt.mode === 'external' ? [service] : [])];
      updateMosquittoFiles(values['mosquitto-dir'] as string, users, service.username, devices);
    }
    if (passwordFile !== undefined) {
      writeFileAtomic(passwordFile, `${issued.password}\n`, 0o600);
      print(JSON.stringify({ device: issued.username, username: issued.username, passwordFile }));
    } else {
      print(JSON.stringify({ device: issued.username, username: issued.username, password: issued.password }));
    }
  } finally {
    await ledger.stop();
  }
}
