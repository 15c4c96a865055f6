/**
 * Drives the pure gate state machine: turns calls from the tap pipeline and the input lines
 * into inputs, and its effects into output writes, display texts, timers and journal entries.
 * Everything it touches comes in through the constructor as ports (gate-ports.ts), so tests
 * and the simulator give it fakes.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { GateControllerOptions, GateDecision, GateTimers } from './gate-ports.ts';
import { resolveGateSettings, type GateSettings } from './gate-settings.ts';
import { transition } from './gate-state-machine.ts';
import {
  INITIAL_GATE_STATE,
  canAdmit,
  gateStateName,
  type GateEffect,
  type GateInput,
  type GateJournalEntry,
  type GateOutputName,
  type GateState,
  type GateStateName,
  type GateTimer,
} from './gate-state.ts';
import { OUT_OF_SERVICE_TEXT } from './gate-texts.ts';
import { gateView, viewEffects, type GateView } from './gate-view.ts';

const SYSTEM_TIMERS: GateTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export class GateController {
  private readonly settings: GateSettings;
  private readonly timers: GateTimers;
  private readonly logger: Logger;
  private readonly handles = new Map<GateTimer, unknown>();
  /** Per output, the async write in flight, so a later write waits for it instead of racing it. */
  private readonly writes = new Map<GateOutputName, Promise<boolean>>();
  private readonly queue: GateInput[] = [];
  private dispatching = false;
  private state: GateState = INITIAL_GATE_STATE;
  private running = false;

  /** Throws GateSettingsError on bad settings; touches no port. */
  constructor(private readonly options: GateControllerOptions) {
    this.settings = resolveGateSettings(options.settings);
    this.timers = options.timers ?? SYSTEM_TIMERS;
    this.logger = (options.logger ?? pino()).child({ module: 'gate' });
  }

  /** For health: the machine's state, or 'stopped' outside start()/stop(). */
  get stateName(): GateStateName | 'stopped' {
    return this.running ? gateStateName(this.state) : 'stopped';
  }

  /** The tap seqs of live grants, oldest first: riders accepted who have not passed yet. */
  get grants(): readonly number[] {
    return this.state.grants;
  }

  /** True when a valid tap would open the lane (running, in service, no emergency). */
  canAdmit(): boolean {
    return this.running && canAdmit(this.state);
  }

  /**
   * Drives every output to the closed state. All of them, not only those that differ: after a
   * crash the lines keep whatever level they had. Read the emergency input once after this.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.state = INITIAL_GATE_STATE;
    if (!(await this.driveAll(gateView(this.state, this.settings)))) {
      this.running = false;
      throw new Error('gate outputs could not be driven to the closed state (see the log)');
    }
  }

  /**
   * Cancels the timers, closes open grants as not used, and leaves the outputs in the fail-safe
   * state: lock per `failSafe` (unlocked anyway while the emergency input is active), lights and
   * buzzer off, 'Out of service'. Rejects when an output did not get there (each failure is logged).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const handle of this.handles.values()) this.timers.clearTimeout(handle);
    this.handles.clear();
    for (const tapSeq of this.state.grants) this.record({ kind: 'passage', tapSeq, outcome: 'not-used' });
    const relay = this.settings.failSafe === 'unlocked' || this.state.emergency;
    const safe = this.driveAll({ relay, greenLight: false, redLight: false, buzzer: false, text: OUT_OF_SERVICE_TEXT });
    this.state = { ...INITIAL_GATE_STATE, emergency: this.state.emergency };
    if (!(await safe)) throw new Error('gate outputs did not all reach the fail-safe state (see the log)');
  }

  /** Resolves when every output write issued so far has finished (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes.values());
  }

  /** The checker's decision for the tap journalled as `tapSeq`. */
  onDecision(decision: GateDecision, tapSeq: number): void {
    this.dispatch(
      decision.decision === 'accept' ? { type: 'accept', tapSeq } : { type: 'reject', reason: decision.reason },
    );
  }

  /** One passage: the beam was broken, then restored. */
  onPassage(): void {
    this.dispatch({ type: 'passage' });
  }

  /** The emergency (fire alarm) input changed. Free passage lasts until it is cleared. */
  onEmergency(active: boolean): void {
    this.dispatch({ type: 'emergency', active });
  }

  onDoorForced(): void {
    this.dispatch({ type: 'door-forced' });
  }

  /** The operator's command; `reason` goes to the journal, riders read 'Out of service'. */
  setOutOfService(on: boolean, reason?: string): void {
    this.dispatch(reason === undefined ? { type: 'out-of-service', active: on } : { type: 'out-of-service', active: on, reason });
  }

  /** Writes every output and the display (not only changes); resolves false when a write failed. */
  private async driveAll(view: GateView): Promise<boolean> {
    const results: Array<Promise<boolean>> = [];
    for (const effect of viewEffects(null, view)) {
      if (effect.type === 'output') results.push(this.write(effect.output, effect.on));
      else this.perform([effect]);
    }
    return !(await Promise.all(results)).includes(false);
  }

  /** Queues inputs that arrive while effects run (e.g. from a journal callback), so effects never interleave. */
  private dispatch(input: GateInput): void {
    if (!this.running) {
      this.logger.warn({ input: input.type }, 'gate input ignored: the gate is not running');
      // The tap is journalled as accepted already; it must still get an outcome.
      if (input.type === 'accept') this.record({ kind: 'passage', tapSeq: input.tapSeq, outcome: 'not-used' });
      return;
    }
    this.queue.push(input);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) this.step(next);
    } finally {
      this.dispatching = false;
    }
  }

  private step(input: GateInput): void {
    const from = gateStateName(this.state);
    const { state, effects } = transition(this.state, input, this.settings);
    this.state = state;
    const to = gateStateName(state);
    if (from !== to) this.logger.info({ from, to, input: input.type }, 'gate state changed');
    this.perform(effects);
  }

  private perform(effects: readonly GateEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'output':
          void this.write(effect.output, effect.on);
          break;
        case 'display':
          this.guard('display', () => this.options.display.show(effect.line1, effect.line2));
          break;
        case 'start-timer':
          this.startTimer(effect.timer, effect.ms);
          break;
        case 'cancel-timer':
          this.cancelTimer(effect.timer);
          break;
        case 'journal':
          this.record(effect.entry);
          break;
      }
    }
  }

  private startTimer(timer: GateTimer, ms: number): void {
    this.cancelTimer(timer);
    const handle = this.timers.setTimeout(() => {
      if (this.handles.get(timer) !== handle) return; // replaced or cancelled meanwhile
      this.handles.delete(timer);
      this.dispatch({ type: 'timer', timer });
    }, ms);
    this.handles.set(timer, handle);
  }

  private cancelTimer(timer: GateTimer): void {
    if (!this.handles.has(timer)) return;
    this.timers.clearTimeout(this.handles.get(timer));
    this.handles.delete(timer);
  }

  private record(entry: GateJournalEntry): void {
    this.guard('journal', () => this.options.journal(entry));
  }

  /**
   * Writes one output; resolves false (after logging) when it failed. A sync line is written at
   * once; an async one is chained behind its write in flight so levels never arrive out of order.
   */
  private write(output: GateOutputName, on: boolean): Promise<boolean> {
    const line = this.options.outputs[output];
    const previous = this.writes.get(output);
    let pending: Promise<void>;
    if (previous === undefined) {
      try {
        const returned = line.set(on);
        if (!(returned instanceof Promise)) return Promise.resolve(true);
        pending = returned;
      } catch (error) {
        this.logger.error({ err: error, output, on }, 'gate output failed');
        return Promise.resolve(false);
      }
    } else {
      pending = previous.then(() => line.set(on));
    }
    const tracked: Promise<boolean> = pending.then(
      () => true,
      (error: unknown) => {
        this.logger.error({ err: error, output, on }, 'gate output failed');
        return false;
      },
    );
    const done = tracked.finally(() => {
      if (this.writes.get(output) === done) this.writes.delete(output);
    });
    this.writes.set(output, done);
    return done;
  }

  /** A failing port is logged with its context and never stops the gate logic. */
  private guard(port: string, call: () => void | Promise<void>): void {
    try {
      const returned = call();
      if (returned instanceof Promise) {
        returned.catch((error: unknown) => this.logger.error({ err: error, port }, 'gate port failed'));
      }
    } catch (error) {
      this.logger.error({ err: error, port }, 'gate port failed');
    }
  }
}
