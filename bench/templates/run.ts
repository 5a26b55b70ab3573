/**
 * Template benchmark: a product list page (layout with blocks, a child
 * template, 100 items rendered through an include, 3-4 filters per item,
 * autoescaping on) rendered by Nuages, Nunjucks, LiquidJS, Eta, a
 * hand-written template-literal function (the practical limit) and, when the
 * virtualenv is present, Django itself.
 *
 * Prints renders/s (median of several timed runs) and ratios, then one JSON
 * line of medians and ratios. Run: npm run bench:templates
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nunjucksLib from 'nunjucks';
import { Liquid } from 'liquidjs';
import { Eta } from 'eta';
import { CachedLoader, Engine, Library, LocmemLoader } from '../../src/template/index.ts';
import * as T from './templates.ts';
import { escapeHtml } from '../../src/utils/safestring.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const RUN_MS = Number(process.env['BENCH_RUN_MS'] ?? 400);

// ---------------------------------------------------------------- data

const WORDS = 'fresh organic hand-made <limited> edition "classic" & modern design for everyday use with care'.split(' ');
const products = Array.from({ length: 100 }, (_, i) => ({
  name: `Product ${i} & <${WORDS[i % WORDS.length]}> ${WORDS[(i * 7) % WORDS.length]} deluxe model number ${i}`,
  slug: `product-${i}`,
  price: 9.99 + i * 1.25,
  description: i % 10 === 0 ? '' : WORDS.slice(i % 5).concat(WORDS).join(' '),
  stock: i % 3,
  on_sale: i % 4 === 0,
}));
const data = { site: { name: 'Nuages & Co', year: 2026 }, category: { name: 'garden <tools>' }, products };

// ---------------------------------------------------------------- shared helpers for the JS engines

// Every engine escapes with the same function as Nuages, so escaping speed is not what differs.
const escape = (s: unknown): string => escapeHtml(String(s));
const h = {
  escape,
  title: (s: string) => s.replace(/\b\w/g, (c) => c.toUpperCase()),
  truncatechars: (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s),
  truncatewords: (s: string, n: number) => {
    const w = s.split(/\s+/).filter(Boolean);
    return w.length > n ? `${w.slice(0, n).join(' ')} …` : w.join(' ');
  },
  floatformat: (v: number, d: number) => v.toFixed(d),
  pluralize: (n: number) => (n === 1 ? '' : 's'),
};

// ---------------------------------------------------------------- engines

type Render = () => string | Promise<string>;

/**
 * `simpleFilters`: replace the Django-exact filters used by the page with the
 * same one-line JS helpers the other engines get, to measure the engine alone.
 */
async function nuages(simpleFilters = false): Promise<Render> {
  const helpers = new Library()
    .filter('truncatechars', (v: unknown, n: unknown) => h.truncatechars(String(v), Number(n)), { isSafe: true })
    .filter('truncatewords', (v: unknown, n: unknown) => h.truncatewords(String(v), Number(n)), { isSafe: true })
    .filter('floatformat', (v: unknown, d: unknown) => h.floatformat(Number(v), Number(d)), { isSafe: true, arg: 'optional' })
    .filter('pluralize', (v: unknown) => h.pluralize(Number(v)), { arg: 'optional' });
  const engine = new Engine({
    loaders: [new CachedLoader([new LocmemLoader(T.django)])],
    builtins: simpleFilters ? [helpers] : [],
  });
  const template = await engine.getTemplate('list.html');
  await engine.getTemplate('base.html');
  await engine.getTemplate('item.html');
  return () => template.render(data);
}

function nunjucks(): Render {
  const env = new nunjucksLib.Environment(
    {
      getSource: (name: string) => ({ src: T.nunjucks[name as keyof typeof T.nunjucks], path: name, noCache: false }),
    } as unknown as nunjucksLib.ILoader,
    { autoescape: true },
  );
  env.addFilter('truncatechars', h.truncatechars);
  env.addFilter('truncatewords', h.truncatewords);
  env.addFilter('floatformat', h.floatformat);
  env.addFilter('pluralize', h.pluralize);
  const template = env.getTemplate('list.html', true);
  return () => template.render(data);
}

function liquid(): Render {
  const engine = new Liquid({
    templates: T.liquid,
    outputEscape: 'escape',
    cache: true,
  } as ConstructorParameters<typeof Liquid>[0]);
  engine.registerFilter('truncatechars', h.truncatechars);
  engine.registerFilter('truncatewords', h.truncatewords);
  engine.registerFilter('floatformat', h.floatformat);
  engine.registerFilter('pluralize', h.pluralize);
  engine.registerFilter('title', h.title);
  const template = engine.parse(T.liquid['list.liquid']);
  return () => engine.renderSync(template, data) as string;
}

function eta(): Render {
  const engine = new Eta({ autoEscape: true, cache: true, escapeFunction: escape });
  for (const [name, source] of Object.entries(T.eta)) engine.loadTemplate(`@${name}`, source);
  return () => engine.render('@list.eta', { ...data, h });
}

function handWritten(): Render {
  const item = (p: (typeof products)[number], i: number): string =>
    `<li class="${(i + 1) % 2 === 0 ? 'even' : 'odd'}${p.on_sale ? ' sale' : ''}">` +
    `<a href="/p/${escape(p.slug)}/">${escape(h.truncatechars(p.name, 30))}</a> <span class="price">${h.floatformat(p.price, 2)}</span>` +
    `<p>${escape(h.truncatewords(p.description || 'No description', 10))}</p><span>${p.stock} item${h.pluralize(p.stock)}</span></li>\n`;
  return () => {
    const title = escape(h.title(data.category.name));
    let list = '';
    for (let i = 0; i < data.products.length; i++) list += item(data.products[i]!, i);
    if (!data.products.length) list = '<li>No products</li>';
    return (
      `<!doctype html>\n<html><head><title>${title} - Shop</title></head>\n<body>\n` +
      `<header>${escape(data.site.name.toUpperCase())}</header>\n<main><h1>${title}</h1>\n<ul class="products">\n${list}</ul>\n</main>\n` +
      `<footer>&copy; ${data.site.year} ${escape(data.site.name)}</footer>\n</body></html>\n`
    );
  };
}

// ---------------------------------------------------------------- timing

async function timed(render: Render): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < RUN_MS) {
    for (let i = 0; i < 20; i++) {
      const out = render();
      if (typeof out !== 'string') await out;
    }
    n += 20;
    elapsed = performance.now() - start;
  }
  return (n * 1000) / elapsed;
}

/** Median renders/s per engine; runs are interleaved so load drift hits every engine alike. */
async function measureAll(engines: readonly [string, Render][]): Promise<Record<string, number>> {
  for (const [, render] of engines) for (let i = 0; i < 200; i++) await render();
  const rates = new Map<string, number[]>(engines.map(([name]) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, render] of engines) rates.get(name)!.push(await timed(render));
  }
  const medians: Record<string, number> = {};
  for (const [name, list] of rates) {
    list.sort((a, b) => a - b);
    medians[name] = list[Math.floor(list.length / 2)]!;
  }
  return medians;
}

function django(): number | null {
  const python = fileURLToPath(new URL('../../.venv-django/bin/python', import.meta.url));
  if (!existsSync(python)) return null;
  const script = `
import json, sys, time
import django
from django.conf import settings
settings.configure(USE_TZ=True, TIME_ZONE="UTC", TEMPLATES=[], DEBUG=False)
django.setup()
from django.template import Engine, Context
cfg = json.load(sys.stdin)
engine = Engine(loaders=[("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", cfg["templates"])])])
t = engine.get_template("list.html")
for _ in range(20): t.render(Context(cfg["data"]))
rates = []
for _ in range(cfg["runs"]):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < cfg["run_ms"] / 1000:
        t.render(Context(cfg["data"])); n += 1
    rates.append(n / (time.perf_counter() - start))
rates.sort()
print(rates[len(rates) // 2])
`;
  const result = spawnSync(python, ['-c', script], {
    input: JSON.stringify({ templates: T.django, data, runs: Math.min(RUNS, 5), run_ms: RUN_MS }),
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.error(`Django run failed: ${result.stderr}`);
    return null;
  }
  return Number(result.stdout.trim());
}

// ---------------------------------------------------------------- main

const engines: [string, Render][] = [
  ['nuages', await nuages()],
  ['nuages-core', await nuages(true)],
  ['nunjucks', nunjucks()],
  ['liquidjs', liquid()],
  ['eta', eta()],
  ['hand-written', handWritten()],
];

// Sanity: every engine renders the 100 items (the outputs differ only in whitespace details).
for (const [name, render] of engines) {
  const html = await render();
  const items = html.split('<li class=').length - 1;
  if (items !== 100) throw new Error(`${name} rendered ${items} items instead of 100`);
  if (html.includes('<limited>')) throw new Error(`${name} did not escape the product names`);
}

const medians = await measureAll(engines);
const djangoRate = django();
if (djangoRate !== null) medians['django'] = djangoRate;

const nuagesRate = medians['nuages']!;
const ratios: Record<string, number> = {};
console.log(`Product list page, 100 items, median of ${RUNS} runs of ${RUN_MS} ms`);
console.log('nuages: Django-exact built-in filters; nuages-core: the same JS helper filters the other engines use\n');
console.log('engine          renders/s   nuages is …x');
for (const [name, rate] of Object.entries(medians)) {
  const ratio = nuagesRate / rate;
  if (name !== 'nuages') ratios[`nuages_vs_${name}`] = Number(ratio.toFixed(2));
  console.log(`${name.padEnd(14)} ${rate.toFixed(0).padStart(10)}   ${name === 'nuages' ? '' : `${ratio.toFixed(2)}x`}`);
}
// The goals of the template issue, checked on this run's medians.
const goals: [string, number | undefined, number][] = [
  ['at least 2x Nunjucks', medians['nunjucks'] && nuagesRate / medians['nunjucks'], 2],
  ['within 2x of the hand-written function', medians['hand-written'] && nuagesRate / medians['hand-written'], 0.5],
  ['at least 20x Django', medians['django'] && nuagesRate / medians['django'], 20],
  ['faster than Eta', medians['eta'] && nuagesRate / medians['eta'], 1],
];
console.log('');
for (const [goal, ratio, target] of goals) {
  if (ratio === undefined) continue;
  console.log(`${ratio >= target ? 'met    ' : 'not met'}  ${goal} (${ratio.toFixed(2)}x)`);
}
console.log(
  JSON.stringify({
    bench: 'templates',
    medians: Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Math.round(v)])),
    ratios,
  }),
);
