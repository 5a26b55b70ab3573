/**
 * Keeps compiled templates (Django's cached.Loader): each template is read
 * and compiled once per process. On by default when `debug` is false.
 */
import type { Origin, TemplateEngine } from '../template.ts';
import { Loader, type LoadResult } from './base.ts';

/** Wraps other loaders and remembers what they found (and what they did not). */
export class CachedLoader extends Loader {
  readonly loaders: readonly Loader[];
  #cache = new Map<string, LoadResult | Promise<LoadResult>>();

  constructor(loaders: readonly Loader[]) {
    super();
    this.loaders = loaders;
  }

  *getTemplateSources(name: string): Iterable<Origin> {
    for (const loader of this.loaders) yield* loader.getTemplateSources(name);
  }

  getContents(): never {
    throw new Error('CachedLoader reads through its loaders; call getTemplate().');
  }

  /** The cached result for `name`, without waiting, when there is one. */
  peek(name: string, skip: readonly Origin[] = []): LoadResult | undefined {
    const hit = this.#cache.get(this.#key(name, skip));
    return hit instanceof Promise ? undefined : hit;
  }

  override getTemplate(name: string, engine: TemplateEngine, skip: readonly Origin[] = []): Promise<LoadResult> {
    const key = this.#key(name, skip);
    const hit = this.#cache.get(key);
    if (hit) return Promise.resolve(hit);
    const pending = this.#load(name, engine, skip);
    this.#cache.set(key, pending);
    pending.then(
      (result) => this.#cache.set(key, result),
      () => this.#cache.delete(key),
    );
    return pending;
  }

  override reset(): void {
    this.#cache.clear();
    for (const loader of this.loaders) loader.reset();
  }

  async #load(name: string, engine: TemplateEngine, skip: readonly Origin[]): Promise<LoadResult> {
    const tried = [];
    for (const loader of this.loaders) {
      const result = await loader.getTemplate(name, engine, skip);
      if ('template' in result) return result;
      tried.push(...result.tried);
    }
    return { tried };
  }

  #key(name: string, skip: readonly Origin[]): string {
    return skip.length ? `${name}\0${skip.map((o) => o.name).join('\0')}` : name;
  }
}
