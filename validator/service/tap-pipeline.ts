/**
 * One code read → one decision → one journal record → the gate commanded, in that
 * order and synchronously, so the relay never waits for the disk (the journal
 * commits in the background) and no tap can be lost between the steps.
 */
import type { Logger } from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { GateContext, TicketChecker, ClockReading, Decision } from '../check/ticket-checker.ts';
import type { GateController } from '../gate/gate-controller.ts';
import type { GateJournalEntry } from '../gate/gate-state.ts';
import type { NewJournalRecord } from '../journal/record-codec.ts';
import type { AppendResult } from '../journal/tap-journal.ts';
import type { ValidatorMetrics } from './validator-metrics.ts';

export interface PipelineJournal {
  append(record: NewJournalRecord): AppendResult;
}

/** A reject that is the gate's, not the ticket's: the lane is out of service. */
export const OUT_OF_SERVICE_REASON = 'out_of_service';

export class TapPipeline {
  constructor(
    private readonly parts: {
      device: string;
      gate: GateContext;
      checker: TicketChecker;
      clock: { now(): ClockReading; nowMs(): number };
      journal: PipelineJournal;
      controller: GateController;
      metrics: ValidatorMetrics;
      onCommitted: () => void;
    },
    private readonly logger: Logger,
  ) {}

  /** A code from the reader. Never throws: a failure is logged and the lane stays shut. */
  onCode(text: string): Decision | undefined {
    const started = process.hrtime.bigint();
    try {
      const { checker, controller, gate } = this.parts;
      const clock = this.parts.clock.now();
      const decision: Decision = this.outOfService()
        ? { decision: 'reject', reason: OUT_OF_SERVICE_REASON as Decision['reason'], clockTrusted: clock.trusted }
        : checker.check(text, gate, clock);
      const tap: NewJournalRecord = {
        kind: 'tap',
        ...this.place(clock.trusted),
        decision: decision.decision,
        reason: decision.reason,
        ...(decision.ticketId !== undefined && { ticketId: decision.ticketId }),
        ...(decision.product !== undefined && { product: decision.product }),
        ...(decision.fareClass !== undefined && { fareClass: decision.fareClass }),
        ...(decision.kid !== undefined && { kid: decision.kid }),
        ...(decision.level !== undefined && { level: decision.level }),
      } as NewJournalRecord;
      const appended = this.parts.journal.append(tap);
      controller.onDecision(decision, appended.seq);
      this.parts.metrics.decisions.inc({ decision: decision.decision, reason: decision.reason });
      this.parts.metrics.decisionLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const seq = appended.seq;
      appended.committed.then(
        () => {
          // Durable from here on (the kill -9 acceptance test relies on this line).
          this.logger.debug({ seq }, 'tap committed');
          this.parts.onCommitted();
        },
        (error: unknown) => this.logger.error({ err: error }, 'journal commit failed'),
      );
      this.logger.info({ seq, decision: decision.decision, reason: decision.reason, ticketId: decision.ticketId, ...(decision.detail !== undefined && { detail: decision.detail }) }, 'tap');
      return decision;
    } catch (error) {
      this.logger.error({ err: error }, 'tap pipeline failed; the lane stays shut');
      return undefined;
    }
  }

  /** A gate event or passage outcome from the controller, journalled with its place and time. */
  onGateEntry(entry: GateJournalEntry): void {
    try {
      const record = { ...entry, ...this.place(this.parts.clock.now().trusted) } as NewJournalRecord;
      const appended = this.parts.journal.append(record);
      appended.committed.then(this.parts.onCommitted, (error: unknown) => this.logger.error({ err: error }, 'journal commit failed'));
    } catch (error) {
      this.logger.error({ err: error, entry }, 'gate event not journalled');
    }
  }

  /**
   * Out of service even while an earlier rider is still passing: the state is then named
   * 'unlocked', but the gate refuses new riders. Running, no emergency (where a valid
   * ticket still gets its 'Go') and unable to admit means out of service.
   */
  private outOfService(): boolean {
    const { controller } = this.parts;
    return controller.stateName !== 'stopped' && controller.stateName !== 'emergency' && !controller.canAdmit();
  }

  /** Device, place and time for a record the journal writes itself (a declared loss). */
  recordBase(): ReturnType<TapPipeline['place']> {
    return this.place(this.parts.clock.now().trusted);
  }

  private place(clockTrusted: boolean): Omit<JournalRecord, 'kind' | 'seq' | 'decision' | 'reason' | 'tapSeq' | 'outcome' | 'event'> {
    const { gate, device } = this.parts;
    return { device, at: Math.floor(this.parts.clock.nowMs()), clockTrusted, station: gate.station, zone: gate.zone, mode: gate.mode, direction: gate.direction };
  }
}
