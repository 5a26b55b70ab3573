/**
 * Signals: decoupled notifications, as in Django's `django.dispatch`.
 *
 * connect(receiver, { sender, dispatchUid }) → per-sender receiver list
 * (cached) → send() / sendRobust() calls each receiver in connection order,
 * awaiting the ones that return a promise before calling the next.
 *
 * Receivers are held strongly: Django's default weak references exist to stop
 * bound methods keeping instances alive, a problem JS closures solve
 * differently, and weak receivers are a classic source of "my handler stopped
 * firing" bugs. Disconnect explicitly when a receiver must go away.
 */

/** What every receiver gets: the signal's arguments plus `sender` and `signal`. */
export type SignalPayload<Args extends object, S = unknown> = Args & {
  sender: S;
  signal: Signal<Args>;
};

/** A function connected to a signal. It may be async; `send()` awaits it. */
export type Receiver<Args extends object = {}, S = unknown> = (
  payload: SignalPayload<Args, S>,
) => unknown;

/** Options of `connect()` and `disconnect()`. */
export interface ConnectOptions<S = unknown> {
  /** Only receive signals sent by this sender (compared with `===`). */
  sender?: S;
  /**
   * Identifies the connection instead of the receiver function, so a module
   * imported twice (or a closure created twice) connects only once.
   */
  dispatchUid?: string;
}

/** The `args` parameter of `send()`: optional when the signal has no arguments. */
export type SendArgs<Args extends object> = {} extends Args ? [args?: Args] : [args: Args];

interface Connection {
  // The dispatchUid when given, otherwise the receiver itself (Django's lookup key).
  readonly key: unknown;
  readonly sender: unknown;
  readonly receiver: Receiver<never, never>;
}

type AnyReceiver = (payload: object) => unknown;

const ANY_SENDER = undefined;
// Bounds the per-sender cache for signals sent by many distinct objects.
const CACHE_LIMIT = 1000;

/**
 * A signal that receivers connect to and senders send.
 *
 * ```ts
 * const orderPlaced = new Signal<{ order: Order }>({ name: 'orderPlaced' });
 * orderPlaced.connect(async ({ order }) => { await mailer.confirm(order); });
 * await orderPlaced.send(Order, { order });
 * ```
 */
export class Signal<Args extends object = {}> {
  /** A name for messages and debugging. */
  readonly name: string | undefined;
  #connections: Connection[] = [];
  #cache = new Map<unknown, readonly AnyReceiver[]>();

  constructor(options: { name?: string } = {}) {
    this.name = options.name;
  }

  /**
   * Connect `receiver`. Connecting the same receiver (or the same
   * `dispatchUid`) for the same sender again does nothing.
   */
  connect<S = unknown>(receiver: Receiver<Args, S>, options: ConnectOptions<S> = {}): void {
    if (typeof receiver !== 'function') {
      throw new TypeError(`${this.#label()}.connect() needs a function, got ${typeof receiver}.`);
    }
    const key = options.dispatchUid ?? receiver;
    const sender = options.sender ?? ANY_SENDER;
    if (this.#connections.some((c) => c.key === key && c.sender === sender)) return;
    this.#connections.push({ key, sender, receiver: receiver as Receiver<never, never> });
    this.#cache.clear();
  }

  /**
   * Disconnect a receiver (or the connection named by `dispatchUid`) for a
   * sender. Returns whether something was disconnected.
   */
  disconnect<S = unknown>(receiver?: Receiver<Args, S>, options: ConnectOptions<S> = {}): boolean {
    const key = options.dispatchUid ?? receiver;
    const sender = options.sender ?? ANY_SENDER;
    const index = this.#connections.findIndex((c) => c.key === key && c.sender === sender);
    if (index === -1) return false;
    this.#connections.splice(index, 1);
    this.#cache.clear();
    return true;
  }

  /**
   * Whether `send(sender)` would call any receiver. Without a sender: whether
   * any receiver is connected at all.
   */
  hasListeners(sender?: unknown): boolean {
    if (sender === undefined) return this.#connections.length > 0;
    return this.#receiversFor(sender).length > 0;
  }

  /**
   * Call every receiver for `sender` in connection order, awaiting each
   * receiver's promise before calling the next. The first error stops the
   * dispatch and rejects the returned promise.
   *
   * With no receiver for `sender` this returns at once; it is safe on hot
   * paths such as every model save.
   */
  send(sender: unknown, ...[args]: SendArgs<Args>): Promise<Array<[Receiver<Args>, unknown]>> {
    const receivers = this.#receiversFor(sender);
    if (receivers.length === 0) return Promise.resolve([]);
    return this.#dispatch(receivers, this.#payload(sender, args), false);
  }

  /**
   * Like `send()`, but an error thrown (or rejected) by a receiver is caught
   * and returned as that receiver's result; the remaining receivers still run.
   */
  sendRobust(sender: unknown, ...[args]: SendArgs<Args>): Promise<Array<[Receiver<Args>, unknown]>> {
    const receivers = this.#receiversFor(sender);
    if (receivers.length === 0) return Promise.resolve([]);
    return this.#dispatch(receivers, this.#payload(sender, args), true);
  }

  #payload(sender: unknown, args: Args | undefined): object {
    return { ...args, sender, signal: this };
  }

  async #dispatch(
    receivers: readonly AnyReceiver[],
    payload: object,
    robust: boolean,
  ): Promise<Array<[Receiver<Args>, unknown]>> {
    const results: Array<[Receiver<Args>, unknown]> = [];
    for (const receiver of receivers) {
      let result: unknown;
      try {
        result = receiver(payload);
        if (isThenable(result)) result = await result;
      } catch (error) {
        if (!robust) throw error;
        result = error;
      }
      results.push([receiver as Receiver<Args>, result]);
    }
    return results;
  }

  #receiversFor(sender: unknown): readonly AnyReceiver[] {
    const cached = this.#cache.get(sender);
    if (cached !== undefined) return cached;
    const receivers: AnyReceiver[] = [];
    for (const c of this.#connections) {
      if (c.sender === ANY_SENDER || c.sender === sender) receivers.push(c.receiver as AnyReceiver);
    }
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(sender, receivers);
    return receivers;
  }

  #label(): string {
    return this.name ? `Signal '${this.name}'` : 'Signal';
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

type ArgsOf<T> = T extends Signal<infer A> ? A : never;
// Structural, because Signal<A> is invariant in A (it appears in its own payload).
interface SignalLike {
  connect(receiver: never, options?: never): void;
}
type SignalsOf<T> = T extends readonly (infer E)[] ? E : T;

/** The payload a `receiver()` function gets: any of its signals' payloads. */
export type ReceiverPayload<T, S> = SignalsOf<T> extends infer E
  ? E extends SignalLike
    ? SignalPayload<ArgsOf<E>, S>
    : never
  : never;

/**
 * Connect the decorated function to one or more signals and return it
 * unchanged, so it stays callable and testable on its own. With several
 * signals, the payload is any of theirs.
 *
 * ```ts
 * export const logSave = receiver(postSave, { sender: Book })(({ instance, created }) => {
 *   if (created) console.log('new book', instance);
 * });
 * ```
 */
export function receiver<const T extends SignalLike | readonly SignalLike[], S = unknown>(
  signal: T,
  options: ConnectOptions<S> = {},
): <F extends (payload: ReceiverPayload<T, S>) => unknown>(fn: F) => F {
  const signals = (Array.isArray(signal) ? signal : [signal]) as readonly Signal<object>[];
  return (fn) => {
    for (const s of signals) s.connect(fn as unknown as Receiver<object, S>, options);
    return fn;
  };
}

/** Sent by `overrideSettings()` on entry and on exit, once per changed setting. */
export const settingChanged = new Signal<{ setting: string; value: unknown; enter: boolean }>({
  name: 'settingChanged',
});

/** Sent by the request handler before it processes a request. */
export const requestStarted = new Signal<{ request?: unknown }>({ name: 'requestStarted' });

/** Sent by the request handler after the response has been sent. */
export const requestFinished = new Signal({ name: 'requestFinished' });

/** Sent by the request handler when a view or middleware raises. */
export const gotRequestException = new Signal<{ request?: unknown; error: unknown }>({
  name: 'gotRequestException',
});
