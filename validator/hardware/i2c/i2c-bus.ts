/**
 * The part of i2c-bus's `PromisifiedBus` the I2C devices use, as a structural type: the real
 * bus is checked against it in the composition file, tests pass a fake bus.
 */
export interface I2cBus {
  i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }>;
}

/** Where a device sits, for error messages. */
export interface I2cLocation {
  busNumber: number;
  address: number;
  /** What the device is, in words ("QR reader", "character display"). */
  device: string;
}

/** Errors worth retrying: the Pi's I2C mishandles clock stretching and reports a NACK as EREMOTEIO. */
const TRANSIENT = new Set(['EREMOTEIO', 'EIO', 'ETIMEDOUT', 'EAGAIN']);

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Runs `operation` up to `attempts` times while it fails with a transient bus error. */
export async function withI2cRetries<T>(operation: () => Promise<T>, attempts: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !TRANSIENT.has(errorCode(error) ?? '')) throw error;
    }
  }
}

export function hex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

/**
 * Turns a failed first transfer into a message that says what is wrong. `openPromisified`
 * succeeds without `/dev/i2c-N`; only the first transfer fails, so this is how a missing bus or
 * peripheral is reported at start-up.
 */
export function describeI2cFailure(error: unknown, where: I2cLocation): Error {
  const { busNumber, address, device } = where;
  const code = errorCode(error);
  const at = `${device} at ${hex(address)} on I2C bus ${busNumber}`;
  let message: string;
  if (code === 'ENOENT') {
    message = `I2C bus ${busNumber} is not available (no /dev/i2c-${busNumber}): enable I2C (dtparam=i2c_arm=on) or configure another ${device}`;
  } else if (code === 'EACCES' || code === 'EPERM') {
    message = `no permission to open /dev/i2c-${busNumber} for the ${device}: add the service user to the "i2c" group`;
  } else if (code === 'EREMOTEIO' || code === 'ENXIO' || code === 'EIO' || code === 'ETIMEDOUT') {
    message = `no ${at} is answering (${code}): check its wiring, power and address`;
  } else {
    message = `${at} failed: ${(error as Error | undefined)?.message ?? String(error)}`;
  }
  return new Error(message, { cause: error });
}
