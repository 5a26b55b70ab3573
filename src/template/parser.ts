/**
 * Builds the node tree from tokens (Django's Parser).
 *
 * Tags are parse functions looked up by the first word of a `{% %}` token;
 * a block tag calls `parser.parse(['endname'])` to collect its body. The
 * same API is open to custom tags (see library.ts).
 */
import { Token, tokenize, locate } from './lexer.ts';
import { TemplateSyntaxError } from './errors.ts';
import { FilterExpression } from './expression.ts';
import { Node, NodeList, TextNode, VariableNode } from './nodes.ts';
import type { CompileOptions } from './compiler.ts';
import type { FilterSpec } from './types.ts';
import type { Library, TagParser } from './library.ts';

/** What a parser needs from its engine. */
export interface ParserSetup {
  readonly templateName: string;
  readonly source: string;
  readonly stringIfInvalid: string;
  /** Libraries always available (built-in tags and filters, engine `builtins`). */
  readonly builtins: readonly Library[];
  /** Libraries `{% load %}` can name. */
  readonly libraries: ReadonlyMap<string, Library>;
  /** Hint added to an unknown `{% load %}` error (e.g. libraries still loading). */
  readonly loadHint?: string;
}

/** Turns tokens into a {@link NodeList}. One parser per template. */
export class Parser {
  readonly templateName: string;
  readonly source: string;
  readonly tags: Record<string, TagParser> = Object.create(null);
  readonly filters: Record<string, FilterSpec> = Object.create(null);
  readonly libraries: ReadonlyMap<string, Library>;
  readonly options: CompileOptions;
  /** Per-template state for tags (named cycles, block names, partials). */
  readonly extra = new Map<unknown, unknown>();
  readonly commandStack: { command: string; token: Token }[] = [];
  /** Checks to run once the whole template is parsed (e.g. `{% partial %}` names). */
  readonly finalizers: (() => void)[] = [];
  #tokens: Token[];
  #loadHint: string;

  constructor(setup: ParserSetup) {
    this.templateName = setup.templateName;
    this.source = setup.source;
    this.libraries = setup.libraries;
    this.options = { templateName: setup.templateName, stringIfInvalid: setup.stringIfInvalid, source: setup.source };
    this.#tokens = tokenize(setup.source).reverse();
    this.#loadHint = setup.loadHint ?? '';
    for (const library of setup.builtins) this.addLibrary(library);
  }

  /** Makes a library's tags and filters available from here on. */
  addLibrary(library: Library): void {
    Object.assign(this.tags, library.tags);
    Object.assign(this.filters, library.filters);
  }

  /** Parses until one of `parseUntil` (a tag name) or the end; the end tag stays in the stream. */
  parse(parseUntil: readonly string[] = []): NodeList {
    const nodelist = new NodeList(this.options);
    while (this.#tokens.length) {
      const token = this.#tokens.pop()!;
      if (token.type === 'text') {
        this.#extend(nodelist, new TextNode(token.contents), token);
      } else if (token.type === 'var') {
        if (!token.contents) throw this.error(token, `Empty variable tag on line ${token.line}.`);
        this.#extend(nodelist, new VariableNode(this.compileFilter(token.contents, token)), token);
      } else if (token.type === 'block') {
        const command = token.contents.split(/\s+/)[0];
        if (!command) throw this.error(token, `Empty block tag on line ${token.line}.`);
        if (parseUntil.includes(command)) {
          this.#tokens.push(token);
          return nodelist;
        }
        this.commandStack.push({ command, token });
        const parseTag = this.tags[command];
        if (!parseTag) this.#invalidBlockTag(token, command, parseUntil);
        let node: Node;
        try {
          node = parseTag(this, token);
        } catch (error) {
          if (error instanceof TemplateSyntaxError) throw this.#locate(error, token);
          throw error;
        }
        if (!(node instanceof Node)) {
          throw this.error(token, `The parse function of tag '${command}' must return a Node (got ${typeof node}).`);
        }
        this.#extend(nodelist, node, token);
        this.commandStack.pop();
      }
    }
    if (parseUntil.length) {
      const open = this.commandStack.pop();
      throw this.error(
        open?.token,
        `Unclosed tag on line ${open?.token.line ?? 0}: '${open?.command ?? ''}'. Looking for one of: ${parseUntil.join(', ')}.`,
      );
    }
    return nodelist;
  }

  /** The next token (removed from the stream). */
  nextToken(): Token {
    const token = this.#tokens.pop();
    if (!token) throw this.error(undefined, 'Unexpected end of template.');
    return token;
  }

  /** Puts a token back at the front of the stream. */
  prependToken(token: Token): void {
    this.#tokens.push(token);
  }

  /** Drops the next token (the end tag after `parse([...])`). */
  deleteFirstToken(): void {
    this.#tokens.pop();
  }

  /** Skips every token up to and including the block tag `endtag` (`{% comment %}`). */
  skipPast(endtag: string): void {
    while (this.#tokens.length) {
      const token = this.#tokens.pop()!;
      if (token.type === 'block' && token.contents === endtag) return;
    }
    const open = this.commandStack[this.commandStack.length - 1];
    throw this.error(open?.token, `Unclosed tag on line ${open?.token.line ?? 0}: '${open?.command ?? ''}'. Looking for one of: ${endtag}.`);
  }

  /** Parses `value|filter:arg` into a {@link FilterExpression}. */
  compileFilter(text: string, token?: Token): FilterExpression {
    try {
      return new FilterExpression(text, (name) => this.findFilter(name));
    } catch (error) {
      if (error instanceof TemplateSyntaxError && token) throw this.#locate(error, token);
      throw error;
    }
  }

  findFilter(name: string): FilterSpec {
    const spec = this.filters[name];
    if (!spec) throw new TemplateSyntaxError(`Invalid filter: '${name}'. Check the spelling, or {% load %} the library that defines it.`);
    return spec;
  }

  /** A TemplateSyntaxError pointing at `token`. */
  error(token: Token | undefined, message: string): TemplateSyntaxError {
    return new TemplateSyntaxError(message, locate(this.source, this.templateName, token));
  }

  /** `{% load %}`: the library registered under `name`, or a syntax error listing the known ones. */
  library(name: string): Library {
    const library = this.libraries.get(name);
    if (!library) {
      const known = [...this.libraries.keys()].sort();
      throw new TemplateSyntaxError(
        `'${name}' is not a registered tag library. Must be one of:\n${known.join('\n')}${this.#loadHint}`,
      );
    }
    return library;
  }

  #locate(error: TemplateSyntaxError, token: Token): TemplateSyntaxError {
    const where = locate(this.source, this.templateName, token);
    return where ? error.locate(where) : error;
  }

  #extend(nodelist: NodeList, node: Node, token: Token): void {
    if (node.mustBeFirst && nodelist.containsNontext) {
      throw this.error(token, `${token.contents.split(/\s+/)[0]} must be the first tag in the template.`);
    }
    node.token ??= token;
    node.templateName = this.templateName;
    nodelist.push(node);
  }

  #invalidBlockTag(token: Token, command: string, parseUntil: readonly string[]): never {
    if (parseUntil.length) {
      throw this.error(
        token,
        `Invalid block tag on line ${token.line}: '${command}', expected ${parseUntil.map((p) => `'${p}'`).join(' or ')}. ` +
          `Did you forget to register or load this tag?`,
      );
    }
    throw this.error(token, `Invalid block tag on line ${token.line}: '${command}'. Did you forget to register or load this tag?`);
  }
}
