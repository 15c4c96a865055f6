/**
 * Notices when the keys CLI changes the gateway's keys directory (a trust list after
 * `rotate`, `retire`, `remove` or `signing-key revoke`, a deny list after `deny`) and has
 * it published, within one poll interval, like any change made through the API.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { KEYS_FILES } from '../../keys/keys-dir.ts';

export type KeysDirFile = 'trust' | 'deny';

const FILES: Record<KeysDirFile, string> = { trust: KEYS_FILES.trustList, deny: KEYS_FILES.denyList };

export class KeysDirWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly seen = new Map<KeysDirFile, string>();
  private polling = false;

  constructor(
    private readonly options: { keysDir: string; intervalMs: number },
    private readonly onChange: (file: KeysDirFile) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const file of Object.keys(FILES) as KeysDirFile[]) this.seen.set(file, this.stamp(file));
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  /** One look at the directory; a change is handled once, even if handling it fails (it is logged). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const file of Object.keys(FILES) as KeysDirFile[]) {
        const stamp = this.stamp(file);
        if (stamp === this.seen.get(file)) continue;
        this.seen.set(file, stamp);
        try {
          await this.onChange(file);
        } catch (error) {
          this.logger.error({ err: error, file: FILES[file] }, 'changed keys directory file not published');
        }
      }
    } finally {
      this.polling = false;
    }
  }

  /** Size, modification time and inode: every command replaces the file (rename), so the inode changes too. */
  private stamp(file: KeysDirFile): string {
    try {
      const stat = statSync(join(this.options.keysDir, FILES[file]));
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }
}
