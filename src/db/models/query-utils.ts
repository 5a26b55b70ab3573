/**
 * `Q` objects: filter conditions combined with `and`, `or` and `not`.
 *
 * ```ts
 * Book.objects.filter(Q({ rating__gte: 4 }).or({ price__lt: 10 }).and(Q({ title__icontains: 'django' }).not()))
 * ```
 * A Q is plain data; the query resolves its `__` paths against a model.
 */
export type Connector = 'AND' | 'OR' | 'XOR';

/** The keyword arguments of `filter()`: `{ path: value }`. */
export type Lookups = Readonly<Record<string, unknown>>;

export type QChild = QNode | readonly [string, unknown];

/** A filter condition tree; build it with `Q({...})`. */
export class QNode {
  readonly connector: Connector;
  readonly negated: boolean;
  readonly children: readonly QChild[];

  constructor(lookups: Lookups = {}, connector: Connector = 'AND', negated = false, children?: readonly QChild[]) {
    this.connector = connector;
    this.negated = negated;
    this.children = children ?? Object.entries(lookups);
  }

  static from(lookups: Lookups | QNode): QNode {
    return lookups instanceof QNode ? lookups : new QNode(lookups);
  }

  #combine(other: QNode | Lookups, connector: Connector): QNode {
    const right = QNode.from(other);
    if (!right.children.length) return this;
    if (!this.children.length) return right;
    return new QNode({}, connector, false, [this, right]);
  }

  /** Both conditions (Django's `&`). */
  and(other: QNode | Lookups): QNode {
    return this.#combine(other, 'AND');
  }

  /** Either condition (Django's `|`). */
  or(other: QNode | Lookups): QNode {
    return this.#combine(other, 'OR');
  }

  /** Exactly one of the conditions (Django's `^`). */
  xor(other: QNode | Lookups): QNode {
    return this.#combine(other, 'XOR');
  }

  /** The negation (Django's `~Q`). */
  not(): QNode {
    return new QNode({}, 'AND', true, [this]);
  }

  get isEmpty(): boolean {
    return this.children.length === 0;
  }
}

/** `Q({ rating__gte: 4 })`: a condition to combine with `.and()`, `.or()`, `.not()`. */
export function Q(lookups: Lookups = {}): QNode {
  return new QNode(lookups);
}
Object.defineProperty(Q, Symbol.hasInstance, { value: (value: unknown) => value instanceof QNode });

export type Q = QNode;
