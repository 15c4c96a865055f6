/**
 * A journal disk that can fill up or die on command (tests only): the real file system
 * underneath, with chosen calls failing as a full card (ENOSPC) or a dead one (EIO)
 * would make them fail, until heal().
 */
import { nodeJournalFs, type JournalFile, type JournalFs } from '../journal-fs.ts';

export type FsCall = 'mkdir' | 'readFile' | 'readdir' | 'open' | 'unlink' | 'rename' | 'stat' | 'write' | 'writeFile' | 'read' | 'truncate' | 'datasync' | 'sync';
export const ALL_CALLS: readonly FsCall[] = ['mkdir', 'readFile', 'readdir', 'open', 'unlink', 'rename', 'stat', 'write', 'writeFile', 'read', 'truncate', 'datasync', 'sync'];
/** What a full card refuses: anything that allocates or flushes new blocks. */
export const FULL_DISK_CALLS: readonly FsCall[] = ['write', 'writeFile', 'datasync', 'sync', 'rename', 'mkdir'];

export class FaultyJournalFs implements JournalFs {
  private failing: { code: 'ENOSPC' | 'EIO'; calls: ReadonlySet<FsCall> } | undefined;
  /** Calls refused so far. */
  refused = 0;

  constructor(private readonly base: JournalFs = nodeJournalFs) {}

  /** From now on the calls fail with `code` (ENOSPC: a full card, EIO: a dead one). */
  fail(code: 'ENOSPC' | 'EIO', calls: readonly FsCall[] = code === 'ENOSPC' ? FULL_DISK_CALLS : ALL_CALLS): void {
    this.failing = { code, calls: new Set(calls) };
  }

  heal(): void {
    this.failing = undefined;
  }

  mkdir = (path: string) => this.guard('mkdir', path, () => this.base.mkdir(path));
  readFile = (path: string) => this.guard('readFile', path, () => this.base.readFile(path));
  readdir = (path: string) => this.guard('readdir', path, () => this.base.readdir(path));
  unlink = (path: string) => this.guard('unlink', path, () => this.base.unlink(path));
  rename = (from: string, to: string) => this.guard('rename', from, () => this.base.rename(from, to));
  stat = (path: string) => this.guard('stat', path, () => this.base.stat(path));

  open = async (path: string, flags: 'r' | 'r+' | 'w', mode?: number): Promise<JournalFile> => {
    const file = await this.guard('open', path, () => this.base.open(path, flags, mode));
    const call = <T>(name: FsCall, run: () => Promise<T>) => this.guard(name, path, run);
    return {
      write: (buffer, offset, length, position) => call('write', () => file.write(buffer, offset, length, position)),
      read: (buffer, offset, length, position) => call('read', () => file.read(buffer, offset, length, position)),
      writeFile: (data) => call('writeFile', () => file.writeFile(data)),
      truncate: (length) => call('truncate', () => file.truncate(length)),
      datasync: () => call('datasync', () => file.datasync()),
      sync: () => call('sync', () => file.sync()),
      close: () => file.close(), // closing never fails here: the handle must not leak
    };
  };

  private async guard<T>(name: FsCall, path: string, run: () => Promise<T>): Promise<T> {
    const failing = this.failing;
    if (failing?.calls.has(name)) {
      this.refused++;
      const text = failing.code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
      throw Object.assign(new Error(`${failing.code}: ${text}, ${name} '${path}'`), { code: failing.code, syscall: name, path });
    }
    return run();
  }
}
