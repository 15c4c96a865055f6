/**
 * The hardware ports the gate logic sees. Real drivers (onoff, i2c-bus, a serial scanner) and
 * the simulated parts implement these; nothing above this folder knows which one it holds.
 */

/** Every long-lived part: constructors only assign fields, `start()` and `stop()` do the work. */
export interface Lifecycle {
  /** Acquires the device and drives it to its safe state. Rejects with a clear message when the device is missing. */
  start(): Promise<void>;
  /** Leaves the device in its defined fail-safe state and releases listeners and timers. */
  stop(): Promise<void>;
}

/** A digital output: the lock relay, the green and red lights, the buzzer. Levels are logical (active-low handled below). */
export interface OutputLine extends Lifecycle {
  /** Name for logs and journal events, e.g. `relay`. */
  readonly name: string;
  /** The level last commanded (after `start()`: the safe level). */
  readonly isOn: boolean;
  /**
   * Drives the line. Async because some backends are (an I2C expander); the gate awaits it so
   * it knows the relay has moved. Rejects when the line is not started.
   */
  set(on: boolean): Promise<void>;
}

/** Called with the new debounced logical level of an input. */
export type InputListener = (active: boolean) => void;

/** A digital input: passage beam, emergency (fire alarm) input, door-forced contact. */
export interface InputLine extends Lifecycle {
  readonly name: string;
  /**
   * The current debounced logical level (true = active). Read once at `start()`, so a fire alarm
   * that is already active at boot is seen without waiting for an edge.
   */
  read(): boolean;
  /**
   * Reports each change of the debounced level. Debounce is trailing: the listener fires once the
   * line has been stable for the debounce time, and only if the level differs from the last one
   * reported. Returns a function that removes the listener.
   */
  onChange(listener: InputListener): () => void;
}

/** Called with the text of a code the reader has seen. The text is hostile input: check it, never log it whole. */
export type CodeListener = (text: string) => void;

/** A QR / 2D code reader (I2C module or serial/USB scanner). */
export interface QrReader extends Lifecycle {
  readonly name: string;
  /**
   * Reports each code read. The same code read several times in a row is reported once: it is
   * reported again only after it has not been read for the configured repeat window
   * (a phone held in front of the reader is one tap). Returns a function that removes the listener.
   */
  onCode(listener: CodeListener): () => void;
}

/** The rider-facing text display. */
export interface Display extends Lifecycle {
  readonly name: string;
  /**
   * Shows two lines. Never blocks and never throws: the text is queued and written in the
   * background, and texts shown while a write is in progress are coalesced to the latest one,
   * so a slow or broken display cannot delay the gate decision. Lines are fitted to the display
   * (ASCII, truncated, padded). Calls before `start()` are shown once started; after `stop()` ignored.
   */
  show(line1: string, line2?: string): void;
}

/** Everything the gate drives, started outputs-first and stopped in reverse by `start()`/`stop()`. */
export interface GateHardware extends Lifecycle {
  readonly relay: OutputLine;
  readonly greenLight: OutputLine;
  readonly redLight: OutputLine;
  readonly buzzer: OutputLine;
  readonly passage: InputLine;
  readonly emergency: InputLine;
  readonly doorForced: InputLine;
  readonly qr: QrReader;
  readonly display: Display;
}
