/**
 * The MQTT broker inside the gateway on embedded defaults (aedes, MQTT 3.1.1).
 * It authenticates every client (devices with their credentials, the gateway with
 * its service credential) and enforces the topic ACL; the gateway itself talks to
 * it as an ordinary mqtt.js client, exactly as it would to Mosquitto or EMQX.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from 'pino';
import { mayPublish, maySubscribe, type Principal } from './topic-acl.ts';

export interface CredentialCheck {
  /** Who this username/password is, or undefined when they are wrong. */
  authenticate(username: string, password: string): Promise<Principal | undefined>;
}

export class PortInUseError extends Error {}

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private readonly principals = new WeakMap<object, Principal>();

  constructor(
    private readonly options: { host: string; port: number },
    private readonly credentials: CredentialCheck,
    private readonly logger: Logger,
  ) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    this.broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const refuse = (): void => {
          const error = new Error('bad username or password') as AuthenticateError;
          error.returnCode = 4;
          done(error, false);
        };
        if (!username || !password) return refuse();
        this.credentials.authenticate(username, password.toString('utf8')).then(
          (principal) => {
            if (!principal) return refuse();
            this.principals.set(client, principal);
            done(null, true);
          },
          (error: unknown) => {
            this.logger.error({ err: error }, 'credential check failed');
            refuse();
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
    this.server = createServer((socket) => broker.handle(socket));
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

  async stop(): Promise<void> {
    // The broker first: it disconnects its clients, so the server can then close.
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
