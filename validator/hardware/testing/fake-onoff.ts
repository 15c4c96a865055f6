/**
 * A fake of onoff's `Gpio` over a fake sysfs: pins keep their raw (electrical) level, direction
 * and active_low across "processes", as real exports do, and inputs debounce exactly as onoff
 * does (trailing debounce on every interrupt, then a read reported to every watcher).
 */
import type { GpioBit, GpioDirection, GpioDriver, GpioEdge, GpioOptions, GpioPin } from '../gpio/gpio-driver.ts';

interface PinState {
  exported: boolean;
  direction: 'in' | 'out';
  activeLow: boolean;
  edge: GpioEdge;
  /** Electrical level. */
  raw: GpioBit;
  /** Every raw level the pin had, in order (the first is its level before any export). */
  rawHistory: GpioBit[];
}

export interface Construction {
  gpio: number;
  direction: GpioDirection;
  edge: GpioEdge | undefined;
  options: GpioOptions | undefined;
}

export class FakeGpioWorld {
  accessible = true;
  readonly constructions: Construction[] = [];
  private readonly pins = new Map<number, PinState>();
  private readonly instances = new Set<FakeGpioInstance>();
  readonly driver: GpioDriver;

  constructor() {
    // A class per world, so its static `accessible` reads this world's flag.
    const world = this;
    this.driver = class extends FakeGpioInstance {
      static get accessible(): boolean {
        return world.accessible;
      }
      constructor(gpio: number, direction: GpioDirection, edge?: GpioEdge, options?: GpioOptions) {
        super(world, gpio, direction, edge, options);
      }
    };
  }

  pin(gpio: number): PinState {
    let state = this.pins.get(gpio);
    if (state === undefined) {
      state = { exported: false, direction: 'in', activeLow: false, edge: 'none', raw: 0, rawHistory: [0] };
      this.pins.set(gpio, state);
    }
    return state;
  }

  /** Simulates a line left exported as an output by a crashed process. */
  leaveExportedOutput(gpio: number, raw: GpioBit, activeLow: boolean): void {
    Object.assign(this.pin(gpio), { exported: true, direction: 'out', activeLow, raw, rawHistory: [raw] });
  }

  /** Drives an input's electrical level (a beam, a contact); raises an interrupt on a change. */
  setRaw(gpio: number, raw: GpioBit): void {
    const state = this.pin(gpio);
    if (state.raw === raw) return;
    state.raw = raw;
    state.rawHistory.push(raw);
    for (const instance of this.instances) if (instance.gpio === gpio) instance.interrupt();
  }

  attach(instance: FakeGpioInstance): void {
    this.instances.add(instance);
  }

  detach(instance: FakeGpioInstance): void {
    this.instances.delete(instance);
  }
}

class FakeGpioInstance implements GpioPin {
  private listeners: Array<(error: Error | null | undefined, value: GpioBit) => void> = [];
  private debounceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly debounceMs: number;

  constructor(
    private readonly world: FakeGpioWorld,
    readonly gpio: number,
    direction: GpioDirection,
    edge?: GpioEdge,
    options?: GpioOptions,
  ) {
    world.constructions.push({ gpio, direction, edge, options });
    const state = world.pin(gpio);
    const previouslyExported = state.exported;
    state.exported = true;
    if (!previouslyExported) state.activeLow = false;
    if (typeof options?.activeLow === 'boolean') state.activeLow = options.activeLow;
    const requested = direction === 'in' ? 'in' : 'out';
    if ((options?.reconfigureDirection ?? true) || state.direction !== requested) {
      state.direction = requested;
      // The kernel's 'high'/'low' (and 'out' = low) set the raw level, ignoring active_low.
      if (direction !== 'in') this.setRawLevel(direction === 'high' ? 1 : 0);
    }
    if (edge !== undefined && direction === 'in') state.edge = edge;
    this.debounceMs = options?.debounceTimeout ?? 0;
    world.attach(this);
  }

  readSync(): GpioBit {
    const state = this.world.pin(this.gpio);
    return (state.raw ^ (state.activeLow ? 1 : 0)) as GpioBit;
  }

  writeSync(value: GpioBit): void {
    const state = this.world.pin(this.gpio);
    if (!state.exported) throw Object.assign(new Error('EBADF: not exported'), { code: 'EBADF' });
    if (state.direction !== 'out') throw Object.assign(new Error('EPERM: not an output'), { code: 'EPERM' });
    this.setRawLevel((value ^ (state.activeLow ? 1 : 0)) as GpioBit);
  }

  watch(callback: (error: Error | null | undefined, value: GpioBit) => void): void {
    this.listeners.push(callback);
  }

  unwatchAll(): void {
    this.listeners = [];
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
  }

  unexport(): void {
    this.unwatchAll();
    // As on the Pi: a freed line goes back to being an input.
    Object.assign(this.world.pin(this.gpio), { exported: false, direction: 'in', edge: 'none' });
    this.world.detach(this);
  }

  /** An edge on the line: onoff clears it and (re)starts its trailing debounce. */
  interrupt(): void {
    const state = this.world.pin(this.gpio);
    if (state.direction !== 'in' || state.edge === 'none') return;
    if (this.debounceMs <= 0) return this.report();
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.report(), this.debounceMs);
  }

  private report(): void {
    const value = this.readSync();
    const edge = this.world.pin(this.gpio).edge;
    if (edge === 'both' || (edge === 'rising' && value === 1) || (edge === 'falling' && value === 0)) {
      for (const listener of [...this.listeners]) listener(null, value);
    }
  }

  private setRawLevel(raw: GpioBit): void {
    const state = this.world.pin(this.gpio);
    if (state.raw !== raw) state.rawHistory.push(raw);
    state.raw = raw;
  }
}
