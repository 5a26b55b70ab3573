/**
 * Signals of a serving process, for work that lives as long as its server: the tasks
 * outbox relay starts on `serverStarted` and stops on `serverStopped`. Sent by every
 * NuagesServer (runserver, each `serve` worker, live-server tests), with the server as sender.
 *
 * ```ts
 * serverStarted.connect(({ address }) => console.log(`serving on port ${address.port}`));
 * ```
 */
import type { AddressInfo } from 'node:net';
import { Signal } from '../signals.ts';

/** Sent once a server listens, in the process that serves; `listen()` resolves after its receivers. */
export const serverStarted = new Signal<{ address: AddressInfo }>({ name: 'serverStarted' });

/** Sent once a server has closed (its in-flight requests finished); `close()` resolves after its receivers. */
export const serverStopped = new Signal({ name: 'serverStopped' });
