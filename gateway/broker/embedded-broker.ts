/**
 * The MQTT broker inside the gateway on embedded defaults (aedes, MQTT 3.1.1).
 * It authenticates every client (devices with their credentials, the gateway with
 * its service credential) and enforces the topic ACL; the gateway itself talks to
 * it as an ordinary mqtt.js client, exactly as it would to Mosquitto or EMQX.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { mayPublish, maySubscribe, type Principal } from './topic-acl.ts';
import { ConnectionRateLimit, DEFAULT_BROKER_LIMITS, guardPacketSizes, type BrokerLimits } from './connection-guard.ts';

export interface CredentialCheck {
  /** Who this username/password is, or undefined when they are wrong. */
  authenticate(username: string, password: string): Promise<Principal | undefined>;
}

export class PortInUseError extends Error {}

/** The only client id a device may connect with: predictable, so it must be bound to the device. */
export const deviceClientId = (device: string): string => `faregate-${device}`;

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  limits?: Partial<BrokerLimits>;
  /** PEM key and certificate: the broker speaks mqtts only. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** CONNACK return codes (MQTT 3.1.1, 3.2.2.3). */
const IDENTIFIER_REJECTED = 2;
const BAD_CREDENTIALS = 4;

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private readonly principals = new WeakMap<object, Principal>();
  /** Connected clients by client id (aedes keeps its own map, but does not type it). */
  private readonly connected = new Map<string, Client>();
  private readonly limits: BrokerLimits;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly credentials: CredentialCheck,
    private readonly logger: Logger,
  ) {
    this.limits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    this.broker = await Aedes.createBroker({
      connectTimeout: this.limits.connectTimeoutMs,
      authenticate: (client, username, password, done) => {
        const refuse = (returnCode: number, message: string): void => {
          const error = new Error(message) as AuthenticateError;
          error.returnCode = returnCode as AuthenticateError['returnCode'];
          done(error, false);
        };
        if (!username || !password) return refuse(BAD_CREDENTIALS, 'bad username or password');
        this.credentials.authenticate(username, password.toString('utf8')).then(
          (principal) => {
            if (!principal) return refuse(BAD_CREDENTIALS, 'bad username or password');
            const problem = this.clientIdProblem(client, principal);
            if (problem) {
              this.logger.warn({ client: client.id, username }, `connection refused: ${problem}`);
              return refuse(IDENTIFIER_REJECTED, problem);
            }
            this.principals.set(client, principal);
            done(null, true);
          },
          (error: unknown) => {
            this.logger.error({ err: error }, 'credential check failed');
            refuse(BAD_CREDENTIALS, 'bad username or password');
          },
        );
      },
      authorizePublish: (client, packet, callback) => {
        const principal = client ? this.principals.get(client) : { kind: 'service' as const };
        if (principal && mayPublish(principal, packet.topic)) return callback(null);
        this.logger.warn({ client: client?.id, topic: packet.topic }, 'publish refused by ACL');
        callback(new Error(`not authorised to publish to ${packet.topic}`));
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const principal = this.principals.get(client);
        if (principal && maySubscribe(principal, subscription.topic)) return callback(null, subscription);
        this.logger.warn({ client: client.id, topic: subscription.topic }, 'subscribe refused by ACL');
        // A null subscription answers with a failure code (0x80) instead of dropping the client.
        callback(null, null);
      },
    });
    const broker = this.broker;
    broker.on('clientReady', (client) => this.connected.set(client.id, client));
    broker.on('clientDisconnect', (client) => {
      if (this.connected.get(client.id) === client) this.connected.delete(client.id);
    });
    const rate = new ConnectionRateLimit(this.limits.connectionsPerAddress, this.limits.connectionWindowMs);
    const accept = (socket: Socket): void => this.accept(broker, rate, socket);
    this.server = this.options.tls ? createTlsServer({ ...this.options.tls, handshakeTimeout: this.limits.connectTimeoutMs }, accept) : createServer(accept);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(`MQTT port ${this.options.port} on ${this.options.host} is already in use (another broker such as Mosquitto?); choose another with --mqtt-port, or 0 for any free port`)
            : error,
        );
      });
      this.server!.listen(this.options.port, this.options.host, () => resolve());
    });
  }

  /**
   * Ends every live session of a device (its password was rotated or it was deleted):
   * the old credentials must stop working now, not at the next reconnect. Returns how many.
   */
  endSessions(device: string): number {
    let ended = 0;
    for (const client of [...this.connected.values()]) {
      const principal = this.principals.get(client);
      if (principal?.kind === 'device' && principal.device === device) {
        this.principals.delete(client);
        client.close();
        ended++;
      }
    }
    if (ended > 0) this.logger.info({ device, sessions: ended }, 'device sessions ended');
    return ended;
  }

  /** Limits first (address rate, packet sizes), then aedes. */
  private accept(broker: Aedes, rate: ConnectionRateLimit, socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    if (!rate.admit(address)) {
      this.logger.warn({ address }, 'connection refused: too many new connections from this address');
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined); // aedes reports client errors; a reset before CONNECT is nobody's business
    broker.handle(socket);
    const client = (socket as Socket & { client?: Client }).client;
    guardPacketSizes(socket, () => this.packetLimit(client), (declared) => {
      this.logger.warn({ address, client: client?.id ?? undefined, declared: Number.isFinite(declared) ? declared : 'malformed', limit: this.packetLimit(client) }, 'connection closed: packet over the size limit');
    });
  }

  private packetLimit(client: Client | undefined): number {
    const principal = client ? this.principals.get(client) : undefined;
    if (!principal) return this.limits.preAuthPacketBytes;
    return principal.kind === 'device' ? this.limits.devicePacketBytes : this.limits.servicePacketBytes;
  }

  /**
   * A device connects only as `faregate-<device>`; nobody takes over a client id that
   * a different identity holds (a device cannot knock another, or the gateway, offline).
   */
  private clientIdProblem(client: Client, principal: Principal): string | undefined {
    if (principal.kind === 'device' && client.id !== deviceClientId(principal.device)) {
      return `a device must connect with client id ${deviceClientId(principal.device)}`;
    }
    const holder = this.connected.get(client.id);
    const held = holder && holder !== client ? this.principals.get(holder) : undefined;
    if (held && !samePrincipal(held, principal)) return `client id ${client.id} belongs to another identity`;
    return undefined;
  }

  async stop(): Promise<void> {
    // The broker first: it disconnects its clients, so the server can then close.
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function samePrincipal(a: Principal, b: Principal): boolean {
  return a.kind === 'service' ? b.kind === 'service' : b.kind === 'device' && a.device === b.device;
}
