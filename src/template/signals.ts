/**
 * Signals of the template engine. `templateRendered` is sent each time a template
 * starts rendering (top level, `{% extends %}` parents, `{% include %}`d templates);
 * the test client listens to it to fill `response.templates` and `response.context`.
 * Nothing listens outside tests, and sending is skipped when nothing does.
 */
import { Signal } from '../core/signals.ts';
import type { Context } from './context.ts';
import type { Template } from './template.ts';

/** Sent with the template and the context it renders with, as rendering starts. */
export const templateRendered = new Signal<{ template: Template; context: Context }>({ name: 'templateRendered' });
