/** The gateway CLI's commands and usage (cli.ts runs them). */
import { ConfigError } from '../runtime/config-file.ts';
import type { CliSpec } from '../runtime/cli/run-commands.ts';
import { DEVICE_USAGE, deviceCommand } from './device-command.ts';
import { TOKEN_USAGE, tokenCommand } from './http/token-command.ts';
import { runCommand } from './run-command.ts';
import { FareInputError } from './fares/feed-problem.ts';
import { rateCommand, RATE_USAGE } from './fares/rate-command.ts';
import { settleCommand, SETTLE_USAGE } from './clearing/settle-command.ts';

export const GATEWAY_CLI: CliSpec = {
  name: 'gateway',
  invocation: 'npm run gateway --',
  commands: {
    run: {
      usage: `run [--config FILE] [--mqtt-port N] [--http-port N] [--data-dir DIR] [--fare-feed DIR]
        the gateway on embedded defaults (MQTT broker in the process, SQLite in ./data);
        ports 0 = any free port, printed at start; a bad config lists every problem, exit 2;
        with a fare feed (fares.feedDir or --fare-feed) account taps are rated as they arrive`,
      run: runCommand,
    },
    device: { usage: DEVICE_USAGE, run: deviceCommand },
    token: { usage: TOKEN_USAGE, run: (args) => tokenCommand(args) },
    rate: {
      usage: `${RATE_USAGE}
        what-if fares: rates a taps CSV against a GTFS Fares v2 feed (table, or JSON lines with --json)`,
      run: rateCommand,
    },
    settle: { usage: SETTLE_USAGE, run: (args) => settleCommand(args) },
  },
  inputErrors: [ConfigError, FareInputError],
};
