import { constants, createReadStream, open } from 'node:fs';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';
import { promisify } from 'node:util';
import type { LineSource } from './line-qr-reader.ts';

/** stdin as a line source: paused, not closed, on stop (the process owns it). */
export function stdinLineSource(): LineSource {
  const stdin = process.stdin;
  return {
    stream: stdin,
    close: () => {
      stdin.pause();
    },
  };
}

/**
 * Opens a scanner device. A tty (serial, USB-CDC) is read through a non-blocking tty stream in
 * raw mode (no echo back to the scanner, no line editing); a plain file stream would park a
 * libuv pool thread in a blocking read that a close cannot interrupt. Anything else (a FIFO, a
 * file of codes) is read as a file.
 */
export async function openDeviceLineSource(path: string): Promise<LineSource> {
  let fd: number;
  try {
    fd = await promisify(open)(path, constants.O_RDONLY | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `cannot open the QR scanner at ${path} (${code}): check the device path, and that the service user is in the "dialout" group`,
      { cause: error },
    );
  }
  if (isatty(fd)) {
    const stream = new TtyReadStream(fd);
    stream.setRawMode(true);
    return { stream, close: () => void stream.destroy() };
  }
  const stream = createReadStream(path, { fd });
  return { stream, close: () => void stream.destroy() };
}
