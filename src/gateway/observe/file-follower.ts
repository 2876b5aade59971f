import { type FileHandle, open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/**
 * Follows a growing file the way `tail -n 0 -F` does: starts at its end (or at the start of a
 * file that appears later), hands over each complete line, and survives rotation (the file
 * renamed to `file.1` and a new one created: what was appended to the old one before the rename
 * is read first) and truncation (starts again at 0). Driven by `poll()`, so the caller picks the
 * pace and the stop.
 *
 * @example
 * const follower = new FileFollower('/home/me/.nodex/audit.jsonl', (line) => console.log(line));
 * await follower.poll(); // call again every few hundred ms
 * await follower.close();
 */
export class FileFollower {
  private handle: FileHandle | undefined;
  private ino = 0;
  private position = 0;
  private decoder = new StringDecoder('utf8');
  private partial = '';
  private started = false;
  private readonly buffer = Buffer.alloc(64 * 1024);

  constructor(
    readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Reads what was appended since the last poll and follows a rotation. */
  async poll(): Promise<void> {
    if (!this.handle && !(await this.openFile())) return;
    await this.drain();
    const now = await stat(this.path).catch(() => undefined);
    if (now && now.ino === this.ino && now.size >= this.position) return;
    // Rotated (another inode, or gone) or truncated: finish the old file, then start the new one at 0.
    await this.drain();
    await this.close();
    if (now) {
      await this.openFile();
      await this.drain();
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async openFile(): Promise<boolean> {
    try {
      const handle = await open(this.path, 'r');
      const info = await handle.stat();
      this.handle = handle;
      this.ino = info.ino;
      // The file that was there when we started: only what comes next. Any later one: all of it.
      this.position = this.started ? 0 : info.size;
      this.started = true;
      this.decoder = new StringDecoder('utf8');
      this.partial = '';
      return true;
    } catch {
      this.started = true;
      return false;
    }
  }

  private async drain(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    for (;;) {
      const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const lines = (this.partial + this.decoder.write(this.buffer.subarray(0, bytesRead))).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.onLine(line);
    }
  }
}
