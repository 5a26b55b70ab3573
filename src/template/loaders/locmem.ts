/** In-memory templates, `{ name: source }`, for tests and small apps (Django's locmem.Loader). */
import type { Origin } from '../template.ts';
import { Loader, SourceNotFound } from './base.ts';

/**
 * @example new Engine({ loaders: [new LocmemLoader({ 'index.html': 'Hi {{ name }}' })] })
 */
export class LocmemLoader extends Loader {
  readonly templates: Map<string, string>;

  constructor(templates: Record<string, string> | Map<string, string>) {
    super();
    this.templates = templates instanceof Map ? templates : new Map(Object.entries(templates));
  }

  getTemplateSources(name: string): Origin[] {
    return [{ name: `locmem:${name}`, templateName: name, loader: 'LocmemLoader' }];
  }

  getContents(origin: Origin): string {
    const source = this.templates.get(origin.templateName);
    if (source === undefined) throw new SourceNotFound('not in the in-memory templates');
    return source;
  }
}
