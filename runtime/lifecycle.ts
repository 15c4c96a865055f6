/**
 * The one start/stop loop of every composition root (validator service, gate hardware,
 * gateway service): parts start in order; when one fails, those already started stop
 * again. Stop runs in reverse, each part in its own try/catch, so one failing part
 * never keeps the others (the gate's outputs above all) from reaching their safe state.
 * Every failure is logged with the part's name and reported to the caller.
 */
import type { Logger } from 'pino';

/** A long-lived part: `start()` does the work, `stop()` undoes it. */
export interface Part {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export class PartSequence {
  private started: Part[] = [];

  /** `what` names the whole in log lines, e.g. 'validator' or 'hardware'. */
  constructor(
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  get running(): boolean {
    return this.started.length > 0;
  }

  /** Starts each part in order; on a failure stops the started ones (in reverse) and rethrows it. */
  async start(parts: readonly Part[]): Promise<void> {
    for (const part of parts) {
      try {
        await part.start();
        this.started.push(part);
      } catch (error) {
        this.logger.error({ err: error, part: part.name }, `${this.what} start-up failed`);
        await this.stop().catch(() => {
          // Each stop failure was logged; the start error is the one to report.
        });
        throw error;
      }
    }
  }

  /** Stops every started part in reverse order; throws an AggregateError of all stop failures. */
  async stop(): Promise<void> {
    const parts = this.started.reverse();
    this.started = [];
    const errors: unknown[] = [];
    for (const part of parts) {
      try {
        await part.stop();
      } catch (error) {
        errors.push(error);
        this.logger.error({ err: error, part: part.name }, `${this.what} part failed to stop`);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${this.what}: ${errors.length} part(s) failed to stop`);
  }
}
