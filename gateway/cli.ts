/** `npm run gateway -- <command>`: the fare-clearing gateway's command line. */
import { runCommands } from '../runtime/cli/run-commands.ts';
import { ConfigError } from '../runtime/config-file.ts';
import { runCommand } from './run-command.ts';
import { deviceCommand } from './device-command.ts';
import { tokenCommand } from './http/token-command.ts';
import { FareInputError } from './fares/feed-problem.ts';
import { rateCommand, RATE_USAGE } from './fares/rate-command.ts';

const USAGE = `usage: npm run gateway -- <command>
  run [--config FILE] [--mqtt-port N] [--http-port N] [--data-dir DIR]
        the gateway on embedded defaults (MQTT broker in the process, SQLite in ./data);
        ports 0 = any free port, printed at start
  device add --id ID --station S --zone N --mode M [--direction entry|exit] [--config FILE] [--data-dir DIR]
        [--mosquitto-dir DIR] [--password-file FILE]   registers a gate and prints its MQTT credentials
        (once; with --password-file the password goes into FILE, mode 0600)
  token create --name N | list | delete --id ID [--config FILE] [--data-dir DIR]
        operator API tokens (stored hashed; a new token is printed once)
  ${RATE_USAGE}
        what-if fares: rates a taps CSV against a GTFS Fares v2 feed (table, or JSON lines with --json)`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  run: runCommand,
  device: deviceCommand,
  token: tokenCommand,
  rate: rateCommand,
};

await runCommands('gateway', USAGE, commands, [ConfigError, FareInputError]);
