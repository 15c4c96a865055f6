/**
 * Riders for a simulated station: each buys a ticket (signed by the keys directory's
 * issuer key, as the gateway's issuing API would), shows it at a gate, and walks
 * through when the gate opens. Some show garbage, some come back too soon (passback),
 * some use rotating codes from their phone, some ride on an account (a ride code the
 * gateway rates afterwards, when it has a fare feed).
 */
import type { Logger } from 'pino';
import { generateEd25519, rawPublicKey } from '../protocol/ticket/ed25519.ts';
import { rotatingCodeText } from '../protocol/ticket/ticket-code.ts';
import { issueTicket } from '../keys/issue-ticket.ts';
import { readIssuerSigningKey, readKeyring } from '../keys/keys-dir.ts';
import type { SimulatedGate } from './simulated-station.ts';

export interface RiderOptions {
  keysDir: string;
  zone: number;
  /** Riders per second across the station. */
  ratePerSecond: number;
  random?: () => number;
}

export class RiderFlow {
  private timer: NodeJS.Timeout | undefined;
  private readonly recent: string[] = [];
  riders = 0;

  constructor(
    private readonly gates: SimulatedGate[],
    private readonly options: RiderOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => this.nextRider(), 1000 / this.options.ratePerSecond);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  private nextRider(): void {
    const random = this.options.random ?? Math.random;
    const gate = this.gates[Math.floor(random() * this.gates.length)];
    if (!gate) return;
    try {
      const text = this.codeFor(random());
      this.riders++;
      if (gate.hardware.qr.present(text) && gate.direction === 'entry') {
        // The rider walks through a moment after the gate opens (if it does).
        setTimeout(() => {
          if (gate.hardware.relay.isOn || gate.hardware.greenLight.isOn) {
            gate.hardware.passage.setLevel(true);
            setTimeout(() => gate.hardware.passage.setLevel(false), 80);
          }
        }, 150);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'rider failed');
    }
  }

  private codeFor(dice: number): string {
    if (dice < 0.05) return 'FT1:THIS IS NOT A TICKET';
    if (dice < 0.12 && this.recent.length > 0) return this.recent[Math.floor(dice * 100) % this.recent.length]!;
    const now = Math.floor(Date.now() / 1000);
    const issuer = readIssuerSigningKey(this.options.keysDir, readKeyring(this.options.keysDir).signingKid);
    const product = dice < 0.5 ? 'single' : dice < 0.65 ? 'account' : 'day';
    const request = { product, zones: [this.options.zone], validFrom: now - 60, validUntil: now + 86_400 };
    if (dice > 0.85) {
      const phone = generateEd25519();
      const ticket = issueTicket({ ...request, holderKey: rawPublicKey(phone.publicKey) }, issuer, now);
      return rotatingCodeText(ticket.bytes, phone.privateKey, now);
    }
    const ticket = issueTicket(request, issuer, now);
    this.recent.push(ticket.text);
    if (this.recent.length > 20) this.recent.shift();
    return ticket.text;
  }
}
