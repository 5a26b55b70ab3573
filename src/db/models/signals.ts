/**
 * Model signals, sent by the ORM around saves, deletes, many-to-many changes
 * and migrations.
 *
 * A `ModelSignal` accepts a lazy sender, 'app_label.ModelName': the receiver
 * is connected once that model is registered (apps.lazyModel), so a signals
 * module can connect to models it cannot import without a cycle. Connected
 * with a model class as sender, a receiver's `instance` is typed as that
 * model's instance.
 */
import { apps, type ModelClass } from '../../conf/apps.ts';
import { Signal, type ConnectOptions, type SignalPayload } from '../../core/signals.ts';

type InstanceOf<S> = S extends abstract new (...args: never[]) => infer I ? I : unknown;

/** The payload a model-signal receiver gets; `instance` follows the sender's class. */
export type ModelSignalPayload<Args extends object, S> = SignalPayload<Args, S> &
  ('instance' extends keyof Args ? { instance: InstanceOf<S> } : {});

/** A receiver of a model signal. */
export type ModelReceiver<Args extends object, S = unknown> = (payload: ModelSignalPayload<Args, S>) => unknown;

/** Options of `ModelSignal.connect()`: the sender may be a model class or 'app.Model'. */
export interface ModelConnectOptions<S> extends Omit<ConnectOptions<S>, 'sender'> {
  sender?: S | string;
}

/**
 * A signal whose sender is a model class, which may be named lazily as
 * 'app_label.ModelName'.
 *
 * ```ts
 * postSave.connect(({ instance, created }) => { ... }, { sender: 'catalog.Book' });
 * ```
 */
export class ModelSignal<Args extends object = {}> extends Signal<Args> {
  override connect<S = unknown>(receiver: ModelReceiver<Args, S>, options: ModelConnectOptions<S> = {}): void {
    const { sender, ...rest } = options;
    if (typeof sender === 'string') {
      apps.lazyModel(sender, (model) => super.connect(receiver as never, { ...rest, sender: model }), {
        description: `a receiver of ${this.name ?? 'a model signal'}`,
      });
      return;
    }
    super.connect(receiver as never, { ...rest, sender });
  }

  override disconnect<S = unknown>(receiver?: ModelReceiver<Args, S>, options: ModelConnectOptions<S> = {}): boolean {
    const { sender, ...rest } = options;
    if (typeof sender === 'string') {
      let done = false;
      // Resolves now when registered; otherwise disconnects once it is (as Django does).
      apps.lazyModel(sender, (model: ModelClass) => {
        done = super.disconnect(receiver as never, { ...rest, sender: model });
      });
      return done;
    }
    return super.disconnect(receiver as never, { ...rest, sender });
  }
}

/** Sent at the start of a model's constructor. */
export const preInit = new ModelSignal<{ args: readonly unknown[]; kwargs: Record<string, unknown> }>({
  name: 'preInit',
});

/** Sent at the end of a model's constructor. */
export const postInit = new ModelSignal<{ instance: unknown }>({ name: 'postInit' });

/** Arguments of `preSave`. `raw` is true when loading fixtures (save the data as given). */
export interface PreSaveArgs {
  instance: unknown;
  raw: boolean;
  using: string;
  updateFields: ReadonlySet<string> | null;
}

/** Sent before `save()` writes a row. */
export const preSave = new ModelSignal<PreSaveArgs>({ name: 'preSave' });

/** Sent after `save()` wrote a row; `created` tells insert from update. */
export const postSave = new ModelSignal<PreSaveArgs & { created: boolean }>({ name: 'postSave' });

/** Arguments of `preDelete` / `postDelete`; `origin` is the object or QuerySet whose delete() started it. */
export interface DeleteArgs {
  instance: unknown;
  using: string;
  origin: unknown;
}

/** Sent before each object of a deletion is deleted. */
export const preDelete = new ModelSignal<DeleteArgs>({ name: 'preDelete' });

/** Sent after each object of a deletion is deleted. */
export const postDelete = new ModelSignal<DeleteArgs>({ name: 'postDelete' });

/** The `action` of `m2mChanged`. */
export type M2MAction = 'pre_add' | 'post_add' | 'pre_remove' | 'post_remove' | 'pre_clear' | 'post_clear';

/** Sent when a many-to-many relation changes; the sender is the through model. */
export const m2mChanged = new ModelSignal<{
  action: M2MAction;
  instance: unknown;
  reverse: boolean;
  model: ModelClass;
  pkSet: ReadonlySet<unknown> | null;
  using: string;
}>({ name: 'm2mChanged' });

/** Sent when a model class has been prepared (fields contributed); the sender is the class. */
export const classPrepared = new Signal({ name: 'classPrepared' });

/** Arguments of `preMigrate` / `postMigrate`; the sender is the AppConfig. */
export interface MigrateArgs {
  appConfig: unknown;
  verbosity: number;
  interactive: boolean;
  using: string;
  plan?: unknown;
  apps?: unknown;
  /** Where the command writes (receivers report what they did there at verbosity 2). */
  stdout?: { write(text: string): unknown };
}

/** Sent by `migrate` before it applies migrations, once per installed app. */
export const preMigrate = new Signal<MigrateArgs>({ name: 'preMigrate' });

/** Sent by `migrate` after it applied migrations, once per installed app. */
export const postMigrate = new Signal<MigrateArgs>({ name: 'postMigrate' });
