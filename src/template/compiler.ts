/**
 * Turns a node tree into a JavaScript generator function.
 *
 * lexer → parser (node tree) → compiler (JavaScript source) → `new Function`
 * → render. Each node appends to the output string `o`; lookups that meet a
 * thenable `yield` it to the driver in runtime.ts.
 *
 * A template is data: every name, literal and piece of text reaches the
 * generated source only through `JSON.stringify` or the constants array `K`,
 * never as code.
 */
import type { FilterExpression } from './expression.ts';
import { literalArgument } from './expression.ts';
import { runtime } from './runtime.ts';
import type { Context } from './context.ts';
import type { Node, NodeList } from './nodes.ts';
import type { TemplateLocation } from './errors.ts';
import { locate } from './lexer.ts';

/** Settings the generated code depends on, fixed at compile time. */
export interface CompileOptions {
  readonly templateName: string;
  readonly stringIfInvalid: string;
  /** The template's source, to point render errors at the line of the failing node. */
  readonly source?: string;
}

/** What a compiled nodelist is: a generator over a context, returning the output. */
export type RenderFunction = (c: Context) => Generator<unknown, string, unknown>;

interface FunctionBuffer {
  readonly lines: string[];
  readonly temps: string[];
  /** Whether a node recorded its position (`at = n`): the body then reports it on errors. */
  located: boolean;
}

/**
 * Collects generated source. Tags use it from their `compile()` method:
 * `g.text()`, `g.write()`, `g.value()`, `g.const()`, `g.fn()`.
 */
export class CodeGen {
  readonly options: CompileOptions;
  readonly constants: unknown[] = [];
  #constantIndex = new Map<unknown, number>();
  #hoisted: string[] = [];
  #stack: FunctionBuffer[] = [];
  #counter = 0;
  #defined = new Set<unknown>();
  // Where each node of the template is, indexed by the `at` variable of the generated code.
  #locations: TemplateLocation[] = [];
  #locationIndex = new Map<Node, number>();

  constructor(options: CompileOptions) {
    this.options = options;
  }

  /** A reference (`K[3]`) to a value kept out of the source. */
  const(value: unknown): string {
    let index = this.#constantIndex.get(value);
    if (index === undefined) {
      index = this.constants.length;
      this.constants.push(value);
      this.#constantIndex.set(value, index);
    }
    return `K[${index}]`;
  }

  /** A JavaScript string literal for `text`. */
  str(text: string): string {
    return JSON.stringify(text);
  }

  /** A fresh local variable in the function being generated. */
  temp(): string {
    const name = `t${++this.#counter}`;
    this.#current().temps.push(name);
    return name;
  }

  /** A unique number, for labels and names. */
  uid(): number {
    return ++this.#counter;
  }

  /** Appends a statement. */
  emit(code: string): void {
    this.#current().lines.push(code);
  }

  /** Appends literal template text to the output. */
  text(text: string): void {
    if (text) this.emit(`o += ${JSON.stringify(text)};`);
  }

  /** Appends the string value of a JavaScript expression to the output. */
  write(expression: string): void {
    this.emit(`o += ${expression};`);
  }

  /** Compiles the nodes of a nodelist inline, into the current function. */
  nodes(nodelist: NodeList): void {
    for (const node of nodelist.nodes) {
      this.#position(node);
      node.compile(this);
    }
  }

  /** Records which node runs next, so an error thrown by it names its line (text cannot fail). */
  #position(node: Node): void {
    const source = this.options.source;
    if (source === undefined || !node.token || node.token.type === 'text') return;
    let index = this.#locationIndex.get(node);
    if (index === undefined) {
      const location = locate(source, this.options.templateName, node.token);
      if (!location) return;
      index = this.#locations.length;
      this.#locations.push(location);
      this.#locationIndex.set(node, index);
    }
    this.#current().located = true;
    this.emit(`at = ${index};`);
  }

  /**
   * Compiles a nodelist into its own generator function and returns its name,
   * to call as `(yield* fN(c))`. Used where output must be captured.
   */
  fn(nodelist: NodeList | ((g: CodeGen) => void)): string {
    const name = `f${++this.#counter}`;
    this.#stack.push({ lines: [], temps: [], located: false });
    if (typeof nodelist === 'function') nodelist(this);
    else this.nodes(nodelist);
    const body = this.#stack.pop()!;
    const temps = body.temps.length ? ` let ${body.temps.join(', ')};` : '';
    const code = body.lines.join('\n');
    // An error leaving the body gets the position of the node that was running (the innermost one wins).
    const guarded = body.located
      ? `let at = -1;\ntry {\n${code}\n} catch (e) { throw LOC(e, ${this.const(this.#locations)}[at]); }`
      : code;
    this.#hoisted.push(`const ${name} = function* (c) {\nlet o = '';${temps}\n${guarded}\nreturn o;\n};`);
    return name;
  }

  /**
   * Compiles `nodelist` once as the render function of `owner` (a block,
   * partial): the generated module stores it in `owner.fn`.
   */
  define(owner: { fn?: RenderFunction | undefined }, nodelist: NodeList): void {
    if (this.#defined.has(owner)) return;
    this.#defined.add(owner);
    const name = this.fn(nodelist);
    this.#hoisted.push(`${this.const(owner)}.fn = ${name};`);
  }

  /**
   * A JavaScript expression that evaluates a filter expression.
   *
   * `mode: 'strict'` is `{{ }}` output and most tag arguments: a missing
   * variable becomes `stringIfInvalid` (with `%s` replaced by the name, then no
   * filters run). `'ignore'` is `{% if %}` / `{% for %}`: a missing variable is `None`.
   */
  value(fe: FilterExpression, mode: 'strict' | 'ignore' = 'strict'): string {
    const variable = fe.variable!;
    let base: string;
    let shortCircuit: string | null = null;
    if (variable.lookups === null) {
      base = this.const(variable.literal);
    } else {
      const t = this.temp();
      const lookups = variable.lookups;
      // Two-part names on plain objects (`p.name`) are the common case: read the
      // property inline and fall back to the full lookup for anything else.
      const call = lookups.length === 2 ? `${this.#pairLookup(lookups)}(c)` : `L(c, ${this.const(lookups)})`;
      const resolved = `((${t} = ${call}) instanceof P && (${t} = yield* W(${t}, c)), ${t})`;
      const si = this.options.stringIfInvalid;
      if (mode === 'ignore') base = `(${resolved} === M ? null : ${t})`;
      else if (si === '') base = `(${resolved} === M ? '' : ${t})`;
      else if (si.includes('%s')) {
        shortCircuit = `${resolved} === M ? ${this.const(si.replace('%s', variable.text))}`;
        base = t;
      } else {
        shortCircuit = `${resolved} === M ? ${this.const(si)}`;
        base = t;
      }
    }
    let expression = base;
    for (const use of fe.filters) {
      let arg = 'undefined';
      if (use.arg) {
        if (use.arg.lookups === null) arg = this.const(literalArgument(use.arg));
        else {
          const a = this.temp();
          arg =
            `(((${a} = L(c, ${this.const(use.arg.lookups)})) instanceof P && (${a} = yield* W(${a}, c))), ` +
            `${a} === M ? X(${this.str(use.arg.text)}, c) : ${a})`;
        }
      }
      const spec = use.spec;
      // A filter with no flags needs none of applyFilter's checks: call it directly.
      if (spec.stringFilter || spec.isSafe) {
        // A plain string needs neither flag (no conversion, no safe mark to keep): call the filter directly.
        const v = this.temp();
        expression =
          `(typeof (${v} = ${expression}) === 'string' ? ${this.const(spec.fn)}(${v}, ${arg}, FC(c)) : ` +
          `F(${this.const(spec)}, ${v}, ${arg}, c))`;
      } else expression = `${this.const(spec.fn)}(${expression}, ${arg}, FC(c))`;
    }
    return shortCircuit ? `(${shortCircuit} : ${expression})` : expression;
  }

  /**
   * A function for one `a.b` lookup site. Reading `b` with its name written in
   * the source gives V8 a property access of its own to specialise on the
   * shape of the objects met there, which a shared helper reading `obj[name]`
   * cannot. Anything but a plain object's own plain property takes the full
   * lookup, which decides every other case.
   */
  #pairLookup(lookups: readonly string[]): string {
    const name = `q${++this.#counter}`;
    const full = `L(c, ${this.const(lookups)})`;
    const key = this.str(lookups[1]!);
    this.#hoisted.push(
      `const ${name} = function (c) {\n` +
        `const o = V(c, ${this.str(lookups[0]!)});\n` +
        `if (o === null || typeof o !== 'object') return ${full};\n` +
        `const p = Object.getPrototypeOf(o);\n` +
        `if (p !== OP && p !== null) return ${full};\n` +
        `let v;\n` +
        // A throwing getter: the full lookup applies Django's silent_variable_failure rule.
        `try { v = o[${key}]; } catch { return ${full}; }\n` +
        // Equal to Object.prototype's own member: inherited (or polluted), so the full lookup decides.
        `if (v === undefined || typeof v === 'function' || v === OP[${key}] || TH(v)) return ${full};\n` +
        `return v;\n};`,
    );
    return name;
  }

  /** The whole module: hoisted functions, returning the main one. */
  module(main: string): string {
    return (
      `"use strict";\n` +
      `const { MISSING: M, Pending: P, lookup: L, wait: W, settle: Z, show: S, str: STR, escapeOutput: E, ` +
      `applyFilter: F, missingArgument: X, sequence: SEQ, unpackLength: ULEN, unpackItem: UITEM, pyEq: EQ, ` +
      `pyCompare: CMP, pyIn: IN, pyIs: IS, isThenable: TH, filterCall: FC, layerValue: V, locateError: LOC } = rt;\n` +
      `const OP = Object.prototype;\n` +
      `const H = rt.helpers;\n` +
      `${this.#hoisted.join('\n')}\nreturn ${main};`
    );
  }

  #current(): FunctionBuffer {
    const buffer = this.#stack[this.#stack.length - 1];
    if (!buffer) throw new Error('CodeGen: emit() outside a function');
    return buffer;
  }
}

/** Helpers tags add for their generated code (`H.name(...)`), registered by builtins. */
export const helpers: Record<string, Function> = {};

/** Compiles a nodelist into a render function. */
export function compileNodeList(nodelist: NodeList, options: CompileOptions): RenderFunction {
  const g = new CodeGen(options);
  const main = g.fn(nodelist);
  const safeName = options.templateName.replace(/[^\w./#-]/g, '_');
  const source = `${g.module(main)}\n//# sourceURL=nuages-template:${safeName}`;
  const factory = new Function('K', 'rt', source) as (k: unknown[], rt: unknown) => RenderFunction;
  return factory(g.constants, { ...runtime, helpers });
}
