/**
 * Template loaders: where template source comes from.
 *
 * A loader lists the places a name could be (`getTemplateSources`) and reads
 * one (`getContents`); the base class tries them in order, skipping origins
 * already used by the `{% extends %}` chain, and compiles what it finds.
 */
import type { FoundTemplate, Origin, TemplateEngine } from '../template.ts';
import { Template } from '../template.ts';
import type { TriedSource } from '../errors.ts';

/** Thrown by `getContents` when a place holds no template. */
export class SourceNotFound extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** The result of a loader's search: a template, or the places it tried. */
export type LoadResult = FoundTemplate | { readonly tried: readonly TriedSource[] };

/** Base class of loaders. Subclasses implement the two primitives. */
export abstract class Loader {
  /** The places `name` could be, in order. */
  abstract getTemplateSources(name: string): Iterable<Origin>;
  /** The source at `origin`; throws {@link SourceNotFound} when there is none. */
  abstract getContents(origin: Origin): string | Promise<string>;

  /** Finds and compiles `name`, or reports the places tried. */
  async getTemplate(name: string, engine: TemplateEngine, skip: readonly Origin[] = []): Promise<LoadResult> {
    const tried: TriedSource[] = [];
    for (const origin of this.getTemplateSources(name)) {
      if (skip.some((s) => s.name === origin.name && s.loader === origin.loader)) {
        tried.push({ name, place: origin.name, reason: 'skipped to avoid recursion' });
        continue;
      }
      let source: string;
      try {
        source = await this.getContents(origin);
      } catch (error) {
        if (error instanceof SourceNotFound) {
          tried.push({ name, place: origin.name, reason: error.reason });
          continue;
        }
        throw error;
      }
      return { template: new Template(source, engine, origin), origin };
    }
    return { tried };
  }

  /** Forgets cached templates (only the cached loader keeps any). */
  reset(): void {}
}
