import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CASCADE, CharField, ForeignKey, ManyToManyField, Model, captureQueries, connections, createTables, FETCH_ONE, onNPlusOne } from '../../src/db/index.ts';
import { Engine, LocmemLoader } from '../../src/template/index.ts';

connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });

class Press extends Model<Press>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'tpl_orm' }) {}
class Writer extends Model<Writer>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'tpl_orm' }) {}
class Title extends Model<Title>()({
  name: new CharField({ maxLength: 50 }),
  press: new ForeignKey(() => Press, { onDelete: CASCADE }),
  writers: new ManyToManyField(() => Writer),
}, { appLabel: 'tpl_orm', ordering: ['id'] }) {}

const template = '{% for t in titles %}{{ t.name }}:{{ t.press.name }}:{% for w in t.writers %}{{ w.name }}{% endfor %};{% endfor %}';
const engine = new Engine({ loaders: [new LocmemLoader({ list: template })] });

before(async () => {
  await createTables([Press, Writer, Title]);
  const press = await Press.objects.create({ name: 'Acme' });
  const writer = await Writer.objects.create({ name: 'Ann' });
  for (let i = 0; i < 10; i++) {
    const title = await Title.objects.create({ name: `T${i}`, press });
    await title.writers.add(writer);
  }
});

after(() => connections.closeAll());

test('a template reading relations the view did not load costs 1 + 1 per relation (FETCH_PEERS)', async () => {
  const t = await engine.getTemplate('list');
  const { result, queries } = await captureQueries(() => t.render({ titles: Title.objects.all() }));
  assert.ok(result.startsWith('T0:Acme:Ann;T1:Acme:Ann;'));
  assert.equal(queries.length, 3);
});

test('under FETCH_ONE the same template loads per row, and the N+1 detector sees it', async () => {
  const reports: string[] = [];
  const stop = onNPlusOne((report) => reports.push(report.relation));
  try {
    const t = await engine.getTemplate('list');
    const { queries } = await captureQueries(() => t.render({ titles: Title.objects.fetchMode(FETCH_ONE) }));
    assert.equal(queries.length, 1 + 10 + 10);
    assert.deepEqual(reports.sort(), ['press', 'writers']);
  } finally {
    stop();
  }
});

test('relations loaded by the view are read without queries', async () => {
  const t = await engine.getTemplate('list');
  const titles = await Title.objects.selectRelated('press').prefetchRelated('writers');
  const { queries } = await captureQueries(() => t.render({ titles }));
  assert.equal(queries.length, 0);
});

test('`t.writers.all` in a template serves prefetched rows and lazy-loads like the manager itself', async () => {
  const allEngine = new Engine({ loaders: [new LocmemLoader({ all: '{% for t in titles %}{% for w in t.writers.all %}{{ w.name }}{% endfor %};{% endfor %}' })] });
  const t = await allEngine.getTemplate('all');
  const prefetched = await Title.objects.prefetchRelated('writers');
  const withPrefetch = await captureQueries(() => t.render({ titles: prefetched }));
  assert.equal(withPrefetch.queries.length, 0);
  const lazy = await captureQueries(() => t.render({ titles: Title.objects.all() }));
  assert.equal(lazy.queries.length, 2);
  assert.ok(lazy.result.startsWith('Ann;Ann;'));
});
