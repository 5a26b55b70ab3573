/**
 * The migration graph: one node per migration, an edge per dependency.
 * Plans are walks of it: forwards (a node after all its ancestors) and
 * backwards (a node before all its descendants).
 */
import { NuagesError } from '../../core/errors.ts';
import type { Migration } from './migration.ts';
import { ProjectState } from './state.ts';

/** A dependency names a migration that does not exist. */
export class NodeNotFoundError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_NODE_NOT_FOUND';
}

/** Migrations depend on each other in a circle. */
export class CircularDependencyError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_CIRCULAR_DEPENDENCY';
}

/** `app.name` */
export function nodeKey(appLabel: string, name: string): string {
  return `${appLabel}.${name}`;
}

export function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

export class MigrationGraph {
  readonly nodes = new Map<string, Migration>();
  readonly parents = new Map<string, Set<string>>();
  readonly children = new Map<string, Set<string>>();

  addNode(key: string, migration: Migration): void {
    this.nodes.set(key, migration);
    if (!this.parents.has(key)) this.parents.set(key, new Set());
    if (!this.children.has(key)) this.children.set(key, new Set());
  }

  removeNode(key: string): void {
    for (const parent of this.parents.get(key) ?? []) this.children.get(parent)?.delete(key);
    for (const child of this.children.get(key) ?? []) this.parents.get(child)?.delete(key);
    this.nodes.delete(key);
    this.parents.delete(key);
    this.children.delete(key);
  }

  /** `child` depends on `parent`; `origin` names the migration for the error message. */
  addDependency(origin: string, child: string, parent: string): void {
    if (!this.nodes.has(child)) throw new NodeNotFoundError(`Migration ${origin} is not in the graph.`);
    if (!this.nodes.has(parent)) {
      throw new NodeNotFoundError(
        `Migration ${origin} depends on ${parent}, which does not exist. ` +
          'Check the app label and migration name in its dependencies, or create that migration.',
      );
    }
    this.parents.get(child)!.add(parent);
    this.children.get(parent)!.add(child);
  }

  /** Every ancestor of `target`, then `target`: the order to apply them in. */
  forwardsPlan(target: string): string[] {
    return this.#walk(target, this.parents);
  }

  /** Every descendant of `target`, then `target`: the order to unapply them in. */
  backwardsPlan(target: string): string[] {
    return this.#walk(target, this.children);
  }

  #walk(target: string, edges: Map<string, Set<string>>): string[] {
    if (!this.nodes.has(target)) throw new NodeNotFoundError(`Migration ${target} does not exist.`);
    const plan: string[] = [];
    const done = new Set<string>();
    const onPath = new Set<string>();
    const visit = (key: string, path: string[]) => {
      if (done.has(key)) return;
      if (onPath.has(key)) throw new CircularDependencyError(`Migrations depend on each other in a circle: ${[...path, key].join(' → ')}.`);
      onPath.add(key);
      for (const next of [...(edges.get(key) ?? [])].sort()) visit(next, [...path, key]);
      onPath.delete(key);
      done.add(key);
      plan.push(key);
    };
    visit(target, []);
    return plan;
  }

  /** Nodes no other node of the same app depends on: the app's latest migrations. */
  leafNodes(appLabel?: string): string[] {
    return [...this.nodes.keys()]
      .filter((key) => {
        const [app] = splitKey(key);
        if (appLabel !== undefined && app !== appLabel) return false;
        return ![...this.children.get(key)!].some((child) => splitKey(child)[0] === app);
      })
      .sort();
  }

  /** Nodes with no parent in the same app: the app's first migrations. */
  rootNodes(appLabel?: string): string[] {
    return [...this.nodes.keys()]
      .filter((key) => {
        const [app] = splitKey(key);
        if (appLabel !== undefined && app !== appLabel) return false;
        return ![...this.parents.get(key)!].some((parent) => splitKey(parent)[0] === app);
      })
      .sort();
  }

  /**
   * The state after applying `targets` and their ancestors (every node when none
   * given); `atEnd: false` leaves the targets themselves out.
   */
  makeState(targets: readonly string[] = this.leafNodes(), atEnd = true): ProjectState {
    const plan: string[] = [];
    const seen = new Set<string>();
    for (const target of targets) {
      for (const key of this.forwardsPlan(target)) {
        if (seen.has(key)) continue;
        if (!atEnd && targets.includes(key)) continue;
        seen.add(key);
        plan.push(key);
      }
    }
    const state = new ProjectState();
    for (const key of plan) this.nodes.get(key)!.mutateState(state, false);
    return state;
  }
}
