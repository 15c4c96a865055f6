/**
 * Keys commands on a full or read-only disk (tests run as root, so a chmod'ed directory
 * would not stop them: the faults come from an injected file-system port). A full disk
 * refuses new data (file creation, directories) from some point on, while renames,
 * unlinks and in-place overwrites still work; a read-only disk refuses every change.
 * Whatever the point of failure, the command fails with one KeysDirError line naming the
 * file and the error, and the directory is exactly as before: no orphan key or temp
 * files, keyring and bundles unchanged (so they still agree).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { denyHashOfTicket } from '../protocol/bundles/deny-list.ts';
import { generateEd25519 } from '../protocol/ticket/ed25519.ts';
import { addIssuer, denyEntry, initKeys, removeIssuer, retireIssuer, rotateIssuer } from './keyring.ts';
import { KeysDirError, readKeyring } from './keys-dir.ts';
import { nodeKeysFs, type KeysFs } from './keys-fs.ts';
import { createSigningKey, revokeSigningKey } from './signing-keys.ts';

type Fault = 'ENOSPC' | 'EROFS';

/** node:fs, failing with `fault` from the `failFrom`-th operation the fault applies to (counting from 0). */
class FaultyFs implements KeysFs {
  calls = 0;
  constructor(
    private readonly fault: Fault | undefined,
    private readonly failFrom = 0,
  ) {}

  private hit(allocates: boolean): void {
    if (this.fault === 'ENOSPC' && !allocates) return;
    if (this.fault !== undefined && this.calls >= this.failFrom) {
      this.calls++;
      throw Object.assign(new Error(`${this.fault}: injected`), { code: this.fault });
    }
    this.calls++;
  }

  createFile(path: string, data: Uint8Array, mode: number): void {
    this.hit(true);
    nodeKeysFs.createFile(path, data, mode);
  }
  overwriteFile(path: string, data: Uint8Array): void {
    this.hit(false);
    nodeKeysFs.overwriteFile(path, data);
  }
  rename(from: string, to: string): void {
    this.hit(false);
    nodeKeysFs.rename(from, to);
  }
  unlink(path: string): void {
    this.hit(false);
    nodeKeysFs.unlink(path);
  }
  mkdir(path: string, mode: number): void {
    this.hit(true);
    nodeKeysFs.mkdir(path, mode);
  }
  rmdir(path: string): void {
    this.hit(false);
    nodeKeysFs.rmdir(path);
  }
  fsyncDir(dir: string): void {
    nodeKeysFs.fsyncDir(dir);
  }
  fileSize(path: string): number {
    return nodeKeysFs.fileSize(path);
  }
}

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) {
        files.set(`${full}/`, 'dir');
        walk(full);
      } else files.set(full, readFileSync(full).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

describe('keys commands on a full or read-only disk', () => {
  let root: string;
  let template: string;
  let oldKid: string;
  let signingKid: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'faregate-keys-faults-'));
    template = join(root, 'template');
    initKeys(template, { operator: 'metro.example' });
    oldKid = readKeyring(template).signingKid;
    rotateIssuer(template, {});
    signingKid = readKeyring(template).signingKeys![0]!.kid;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const outsider = generateEd25519().publicKey;
  const operations: Array<[string, (dir: string, fs: KeysFs) => unknown]> = [
    ['init', (dir, fs) => initKeys(join(dir, 'new', 'keys'), {}, new Date(), fs)],
    ['add-issuer', (dir, fs) => addIssuer(dir, outsider, {}, new Date(), fs)],
    ['rotate', (dir, fs) => rotateIssuer(dir, {}, new Date(), fs)],
    ['retire', (dir, fs) => retireIssuer(dir, oldKid, new Date(), fs)],
    ['remove', (dir, fs) => removeIssuer(dir, oldKid, new Date(), fs)],
    ['deny', (dir, fs) => denyEntry(dir, { kind: 'ticket', value: new Uint8Array(12), hash: denyHashOfTicket(new Uint8Array(12)) }, new Date(), undefined, fs)],
    ['signing-key create', (dir, fs) => createSigningKey(dir, {}, new Date(), fs)],
    ['signing-key revoke', (dir, fs) => revokeSigningKey(dir, signingKid, new Date(), fs)],
  ];

  let run = 0;
  const freshCopy = (): string => {
    const dir = join(root, `run-${++run}`);
    cpSync(template, dir, { recursive: true });
    return dir;
  };

  for (const [name, operation] of operations) {
    test(`${name}: fails with one line naming the file and leaves the directory as it was, wherever the disk fills up or is read-only`, () => {
      const counting = new FaultyFs('ENOSPC', Number.MAX_SAFE_INTEGER);
      const reference = freshCopy();
      const unchanged = snapshot(reference);
      operation(reference, counting);
      assert.notDeepEqual(snapshot(reference), unchanged, 'the operation changes the directory when the disk is fine');
      const writes = counting.calls;
      assert.ok(writes > 0);
      const cases: Array<[Fault, number]> = [['EROFS', 0], ...Array.from({ length: writes }, (_, k): [Fault, number] => ['ENOSPC', k])];
      for (const [fault, failFrom] of cases) {
        const dir = freshCopy();
        const before = snapshot(dir);
        assert.throws(
          () => operation(dir, new FaultyFs(fault, failFrom)),
          (error: unknown) => {
            assert.ok(error instanceof KeysDirError, `${fault}@${failFrom}: expected KeysDirError, got ${String(error)}`);
            assert.match(error.message, new RegExp(`^cannot write \\S+: ${fault} \\(.+\\); nothing was changed$`));
            assert.equal(error.message.includes('\n'), false);
            return true;
          },
        );
        assert.deepEqual(snapshot(dir), before, `${fault} from write ${failFrom}: the directory changed`);
      }
    });
  }
});
