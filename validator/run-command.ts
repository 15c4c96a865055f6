/**
 * `npm run validator -- run --config FILE.json`: the gate service. One signal handler
 * with a stopping guard and a hard-exit timer; the gate is left in its fail-safe
 * state by stop(). Bad config: every problem listed, exit code 2.
 */
import { parseCommandArgs, required } from '../runtime/cli/args.ts';
import { DirectoryLockedError } from '../runtime/directory-lock.ts';
import { loadValidatorConfig } from './config/validator-config.ts';
import { createSimulatedHardware } from './hardware/simulated-hardware.ts';
import { createLogger } from '../runtime/logger.ts';
import { driveFromLines } from './service/simulated-console.ts';
import { ValidatorService } from './service/validator-service.ts';
import { SystemdNotifier } from './service/systemd-notify.ts';

const HARD_EXIT_MS = 10_000;

export async function runCommand(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, { config: { type: 'string' } });
  const config = loadValidatorConfig(required(values, 'config'));
  const logger = createLogger(config.logLevel, 'validator');
  const simulated = config.hardware === 'simulated' ? createSimulatedHardware(logger) : undefined;
  const service = new ValidatorService(config, logger, simulated ? { hardware: simulated } : {});
  const notifier = new SystemdNotifier(logger, () => service.health());
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error('stop took too long: exiting hard');
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    notifier.stopping();
    // Each part that failed to stop was logged; the exit code says that one did (the
    // journal: records it could not make durable, which the next start declares lost).
    const stoppedCleanly = await service.stop().then(
      () => true,
      () => false,
    );
    if (!stoppedCleanly) process.stderr.write('validator: stopped with errors (see the log): journal records may not be durable\n');
    process.exit(stoppedCleanly ? 0 : 1);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await service.start();
  } catch (error) {
    logger.fatal({ err: error }, 'validator could not start');
    process.stderr.write(`validator: ${(error as Error).message}\n`);
    process.exit(error instanceof DirectoryLockedError ? 2 : 1);
  }
  notifier.ready();
  if (simulated) driveFromLines(process.stdin, simulated, logger);
}
