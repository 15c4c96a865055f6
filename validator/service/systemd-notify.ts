/**
 * systemd `Type=notify` with a watchdog (hardware.md, deployment): READY=1 once the gate
 * runs, then WATCHDOG=1 at half the interval, but only while the gate loop is healthy
 * (the gate running and the event loop not stalled), so a hung service gets restarted.
 * Node cannot send unix datagrams itself, so it uses `systemd-notify`
 * (the unit sets NotifyAccess=all). Without NOTIFY_SOCKET it does nothing.
 */
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

export class SystemdNotifier {
  private timer: NodeJS.Timeout | undefined;
  private lastTick = performance.now();

  constructor(
    private readonly logger: Logger,
    private readonly health: () => { gate: string },
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  ready(): void {
    if (!this.enabled) return;
    this.send('--ready');
    const watchdogUsec = Number(this.env.WATCHDOG_USEC ?? 0);
    if (watchdogUsec > 0) {
      const interval = watchdogUsec / 1000 / 2;
      this.timer = setInterval(() => this.ping(interval), interval);
      this.timer.unref();
    }
  }

  stopping(): void {
    clearInterval(this.timer);
    if (this.enabled) this.send('STOPPING=1');
  }

  private ping(interval: number): void {
    const now = performance.now();
    const stalled = now - this.lastTick > interval * 1.5;
    this.lastTick = now;
    const gate = this.health().gate;
    if (stalled || gate === 'stopped') {
      this.logger.error({ gate, stalled }, 'gate loop unhealthy: not pinging the watchdog');
      return;
    }
    this.send('WATCHDOG=1');
  }

  private send(message: string): void {
    execFile('systemd-notify', [message], (error) => {
      if (error) this.logger.warn({ reason: error.message }, 'systemd-notify failed');
    });
  }
}
