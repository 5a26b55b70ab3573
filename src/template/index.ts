/**
 * The Django template language for Nuages (`nuages/template`).
 *
 * source → lexer → parser (node tree) → compiler (a JavaScript generator
 * function, built once per template) → render: synchronous until a value is
 * a promise, a QuerySet or an async iterable, then asynchronous.
 */
export { Engine, registerBuiltins, registerLibrary, type EngineOptions } from './engine.ts';
export { Template, type Origin } from './template.ts';
export { Context, RequestContext, RenderContext, type ContextProcessor, type ContextOptions } from './context.ts';
export { Library, SimpleTagNode, InclusionTagNode, type TagParser, type TagOptions, type LibraryFilterOptions } from './library.ts';
export { Node, NodeList, TextNode, VariableNode } from './nodes.ts';
export { Parser } from './parser.ts';
export { Token, type TokenType } from './lexer.ts';
export { FilterExpression, Variable, resolveExpression } from './expression.ts';
export {
  TemplateSyntaxError,
  TemplateDoesNotExist,
  VariableDoesNotExist,
  TemplateRenderError,
  type LocatedError,
  type TemplateLocation,
  type TriedSource,
} from './errors.ts';
export { FilterValueError } from './builtins/filters.ts';
export { DateFormatTimeOnDateError } from './dateformat.ts';
export { ZonedDateTime } from './zoned-datetime.ts';
export { Loader, SourceNotFound } from './loaders/base.ts';
export { LocmemLoader } from './loaders/locmem.ts';
export { FilesystemLoader, AppDirectoriesLoader } from './loaders/filesystem.ts';
export { CachedLoader } from './loaders/cached.ts';
export { csp, csrf, debug, request } from './context-processors.ts';
export { render } from './shortcuts.ts';
export { templateEngines, resetTemplateEngines, getTemplate, selectTemplate, renderToString, type ContextProcessorSetting } from './engines.ts';
export { SafeString, markSafe, isSafe, escapeHtml, conditionalEscape } from '../utils/safestring.ts';
export type { FilterSpec, FilterFunction, FilterCall, FilterOptions } from './types.ts';
export { templateRendered } from './signals.ts';
export { staticUrl, setStaticUrlResolver } from './builtins/static.ts';
