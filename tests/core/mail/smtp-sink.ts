// A real SMTP server for the tests (the smtp-server package, on 127.0.0.1 and a free port):
// it records each connection, login and delivered message, and refuses the recipients it
// is told to refuse, as a mail server would with 550.
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One message the sink accepted. */
export interface Delivery {
  readonly from: string;
  readonly to: readonly string[];
  /** The message as received, CRLF line ends. */
  readonly raw: string;
  /** The connection it came over (1, 2, …). */
  readonly connection: number;
  /** Who logged in on that connection, if anyone. */
  readonly user: string | undefined;
  /** Whether the connection was under TLS (SSL from the start, or after STARTTLS). */
  readonly secure: boolean;
}

export interface SmtpSink {
  readonly port: number;
  readonly deliveries: Delivery[];
  /** Connections opened so far. */
  connections: number;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** TLS from the first byte (EMAIL_USE_SSL). */
  secure?: boolean;
  /** Key and certificate for SSL and STARTTLS. */
  tls?: { key: string; cert: string };
  /** Require this login; anything else is refused with 535. */
  login?: { user: string; pass: string };
  /** Recipients answered with 550. */
  refuse?: readonly string[];
  /** Do not offer STARTTLS. */
  noStartTls?: boolean;
}

/** A certificate for 127.0.0.1 and localhost, signed by itself, made for this run. */
export async function testCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const deliveries: Delivery[] = [];
  const numbers = new Map<string, number>();
  const sink = { port: 0, deliveries, connections: 0, close: async () => {} };
  const config: SMTPServerOptions = {
    secure: options.secure ?? false,
    ...(options.tls ?? {}),
    authOptional: options.login === undefined,
    allowInsecureAuth: true,
    hideSTARTTLS: options.noStartTls ?? false,
    disabledCommands: options.noStartTls ? ['STARTTLS'] : [],
    logger: false,
    onConnect(session, callback) {
      sink.connections += 1;
      numbers.set(session.id, sink.connections);
      callback();
    },
    onAuth(auth, _session, callback) {
      if (options.login && auth.username === options.login.user && auth.password === options.login.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onRcptTo(address, _session, callback) {
      if (options.refuse?.includes(address.address)) callback(Object.assign(new Error(`No such user: ${address.address}`), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        deliveries.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          connection: numbers.get(session.id) ?? 0,
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** Runs `fn` with a sink of its own, closed afterwards whatever happens. */
export async function withSmtpSink(options: SmtpSinkOptions, fn: (sink: SmtpSink) => Promise<void>): Promise<void> {
  const sink = await startSmtpSink(options);
  try {
    await fn(sink);
  } finally {
    await sink.close();
  }
}
