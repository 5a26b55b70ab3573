/**
 * Deferred values (Django's django.utils.functional `lazy`, for async loads).
 */

/**
 * A thenable that starts `load` only when something awaits it, and only once. Context
 * processors hand these to templates: the engine awaits a variable when it is used, so
 * a page that never shows `user` or `messages` never loads them.
 */
export function lazy<T>(load: () => Promise<T>): PromiseLike<T> {
  let started: Promise<T> | undefined;
  return {
    then(onFulfilled, onRejected) {
      started ??= load();
      return started.then(onFulfilled, onRejected);
    },
  };
}
