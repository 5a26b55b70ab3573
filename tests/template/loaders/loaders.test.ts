import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AppDirectoriesLoader,
  CachedLoader,
  Engine,
  FilesystemLoader,
  LocmemLoader,
  TemplateDoesNotExist,
} from '../../../src/template/index.ts';
import { loaderSuite } from './loader-suite.ts';

function writeTree(root: string, templates: Record<string, string>): void {
  for (const [name, source] of Object.entries(templates)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), source);
  }
}

describe('locmem loader', () => loaderSuite('locmem', (t) => new LocmemLoader(t)));

describe('filesystem loader', () =>
  loaderSuite('filesystem', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'nuages-fs-'));
    writeTree(root, t);
    return new FilesystemLoader([root]);
  }));

describe('app directories loader', () =>
  loaderSuite('app directories', (t) => {
    const app = mkdtempSync(join(tmpdir(), 'nuages-app-'));
    writeTree(join(app, 'templates'), t);
    return new AppDirectoriesLoader([app]);
  }));

describe('cached loader', () => loaderSuite('cached', (t) => new CachedLoader([new LocmemLoader(t)])));

describe('loader behaviour', () => {
  test('the filesystem loader never reads outside its directories', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nuages-fs-'));
    writeTree(root, { 'in/a.html': 'a' });
    writeFileSync(join(root, 'secret.txt'), 'secret');
    const engine = new Engine({ loaders: [new FilesystemLoader([join(root, 'in')])] });
    await assert.rejects(engine.getTemplate('../secret.txt'), TemplateDoesNotExist);
  });

  test('dirs are searched in order, then app directories', async () => {
    const a = mkdtempSync(join(tmpdir(), 'nuages-a-'));
    const b = mkdtempSync(join(tmpdir(), 'nuages-b-'));
    const app = mkdtempSync(join(tmpdir(), 'nuages-app-'));
    writeTree(a, { 'x.html': 'from a' });
    writeTree(b, { 'x.html': 'from b', 'y.html': 'y from b' });
    writeTree(join(app, 'templates'), { 'z.html': 'z from app', 'y.html': 'y from app' });
    const engine = new Engine({ dirs: [a, b], appDirs: [app] });
    assert.equal(await engine.renderToString('x.html'), 'from a');
    assert.equal(await engine.renderToString('y.html'), 'y from b');
    assert.equal(await engine.renderToString('z.html'), 'z from app');
  });

  test('the cached loader compiles once and serves later lookups synchronously', async () => {
    const templates = new Map([['t.html', 'v1']]);
    const cached = new CachedLoader([new LocmemLoader(templates)]);
    const engine = new Engine({ loaders: [cached] });
    const first = await engine.getTemplate('t.html');
    templates.set('t.html', 'v2');
    assert.equal(await engine.getTemplate('t.html'), first);
    assert.ok(!(engine.findTemplate('t.html') instanceof Promise));
    engine.reset();
    assert.equal(await engine.renderToString('t.html'), 'v2');
  });

  test('without debug the default loaders are cached; with debug they are not', () => {
    assert.ok(new Engine({ dirs: ['.'] }).loaders[0] instanceof CachedLoader);
    assert.ok(new Engine({ dirs: ['.'], debug: true }).loaders[0] instanceof FilesystemLoader);
  });

  test('extends of a template with the same name continues in the next directory', async () => {
    const a = mkdtempSync(join(tmpdir(), 'nuages-a-'));
    const b = mkdtempSync(join(tmpdir(), 'nuages-b-'));
    writeTree(a, { 'base.html': '{% extends "base.html" %}{% block t %}override+{{ block.super }}{% endblock %}' });
    writeTree(b, { 'base.html': '<{% block t %}original{% endblock %}>' });
    const engine = new Engine({ dirs: [a, b], debug: true });
    assert.equal(await engine.renderToString('base.html'), '<override+original>');
  });
});
