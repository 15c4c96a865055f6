/** A keys directory for tests (tests only): root, one issuer, signed bundles, and a ticket maker. */
import { join } from 'node:path';
import { issueTicket, type IssuedTicket } from '../../keys/issue-ticket.ts';
import { initKeys } from '../../keys/keyring.ts';
import { KEYS_FILES, readIssuerSigningKey, readKeyring, readRootSigningKey } from '../../keys/keys-dir.ts';
import type { SigningKey } from '../../protocol/ticket/ed25519.ts';

/** A fresh keys directory (root, one issuer, trust list v1, deny list v1) and a ticket maker. */
export class TestKeys {
  private constructor(
    readonly dir: string,
    readonly root: SigningKey,
    private readonly issuer: SigningKey,
  ) {}

  static create(dir: string): TestKeys {
    initKeys(dir, {});
    return TestKeys.fromDir(dir);
  }

  /** An existing keys directory, e.g. the one a gateway made in its data directory. */
  static fromDir(dir: string): TestKeys {
    return new TestKeys(dir, readRootSigningKey(dir), readIssuerSigningKey(dir, readKeyring(dir).signingKid));
  }

  get rootPublicKeyFile(): string {
    return join(this.dir, KEYS_FILES.rootPublic);
  }

  get seedBundles(): { trustList: string; denyList: string } {
    return { trustList: join(this.dir, KEYS_FILES.trustList), denyList: join(this.dir, KEYS_FILES.denyList) };
  }

  /** A valid day ticket (no zone or mode limits), distinct every call. */
  ticket(): IssuedTicket {
    const now = Math.floor(Date.now() / 1000);
    return issueTicket({ product: 'day', validFrom: now - 3600, validUntil: now + 86_400 }, this.issuer, now);
  }

  /** A valid account ticket (the ride-code model: its taps are rated afterwards), distinct every call. */
  accountTicket(fareClass: 'adult' | 'child' = 'adult'): IssuedTicket {
    const now = Math.floor(Date.now() / 1000);
    return issueTicket({ product: 'account', fareClass, validFrom: now - 3600, validUntil: now + 86_400 }, this.issuer, now);
  }

  /** A valid single ticket (one entry), distinct every call. */
  singleTicket(): IssuedTicket {
    const now = Math.floor(Date.now() / 1000);
    return issueTicket({ product: 'single', validFrom: now - 60, validUntil: now + 7200 }, this.issuer, now);
  }
}
