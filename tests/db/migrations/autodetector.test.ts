import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BigAutoField, CharField, CheckConstraint, ForeignKey, Index, IntegerField, ManyToManyField, PROTECT, CASCADE, Q, UniqueConstraint,
} from '../../../src/db/index.ts';
import {
  AddConstraint, AddField, AddIndex, AlterField, AlterModelOptions, AlterModelTable, AlterUniqueTogether, CreateModel, DeleteModel,
  MigrationAutodetector, MigrationGraph, MigrationQuestioner, ModelState, ProjectState, QuestionerAbortError, RemoveConstraint,
  RemoveField, RemoveIndex, RenameField, RenameIndex, RenameModel, arrangeForGraph, Migration, type StateOptions,
} from '../../../src/db/migrations/index.ts';
import type { Field } from '../../../src/db/models/fields/field.ts';

const id = (): [string, Field] => ['id', new BigAutoField({ primaryKey: true })];

function model(name: string, fields: [string, Field][], options: StateOptions = {}, app = 'shop'): ModelState {
  return new ModelState(app, name, [id(), ...fields], options);
}

function state(...models: ModelState[]): ProjectState {
  return new ProjectState(models);
}

class Yes extends MigrationQuestioner {
  override async askRenameModel(): Promise<boolean> {
    return true;
  }
  override async askRenameField(): Promise<boolean> {
    return true;
  }
  override async askNotNullAddition(): Promise<unknown> {
    return 7;
  }
}

async function detect(from: ProjectState, to: ProjectState, questioner?: MigrationQuestioner) {
  const changes = await new MigrationAutodetector(from, to, questioner).changes();
  return changes.get('shop') ?? [];
}

const names = (ops: readonly object[]) => ops.map((op) => op.constructor.name);

describe('autodetector: models', () => {
  test('a new model becomes CreateModel, after the models its foreign keys point to', async () => {
    const to = state(
      model('Book', [['publisher', new ForeignKey('shop.Publisher', { onDelete: PROTECT })]]),
      model('Publisher', [['name', new CharField({ maxLength: 50 })]]),
    );
    const ops = await detect(state(), to);
    assert.deepEqual(names(ops), ['CreateModel', 'CreateModel']);
    assert.deepEqual(ops.map((op) => (op as CreateModel).name), ['Publisher', 'Book']);
  });

  test('models referring to each other: one relation is added after both exist', async () => {
    const to = state(
      model('A', [['b', new ForeignKey('shop.B', { onDelete: CASCADE, null: true })]]),
      model('B', [['a', new ForeignKey('shop.A', { onDelete: CASCADE, null: true })]]),
    );
    const ops = await detect(state(), to);
    assert.deepEqual(names(ops), ['CreateModel', 'CreateModel', 'AddField']);
  });

  test('a removed model becomes DeleteModel', async () => {
    const ops = await detect(state(model('Old', [])), state());
    assert.deepEqual(names(ops), ['DeleteModel']);
    assert.equal((ops[0] as DeleteModel).name, 'Old');
  });

  test('a model renamed with the same fields is a RenameModel when confirmed', async () => {
    const from = state(model('Writer', [['name', new CharField({ maxLength: 50 })]]));
    const to = state(model('Author', [['name', new CharField({ maxLength: 50 })]]));
    const ops = await detect(from, to, new Yes());
    assert.deepEqual(names(ops), ['RenameModel']);
    assert.deepEqual([(ops[0] as RenameModel).oldName, (ops[0] as RenameModel).newName], ['Writer', 'Author']);
  });

  test('without confirmation (--noinput) a rename is a delete and a create', async () => {
    const from = state(model('Writer', [['name', new CharField({ maxLength: 50 })]]));
    const to = state(model('Author', [['name', new CharField({ maxLength: 50 })]]));
    assert.deepEqual(names(await detect(from, to)), ['CreateModel', 'DeleteModel']);
  });

  test('a changed dbTable becomes AlterModelTable', async () => {
    const ops = await detect(state(model('Book', [])), state(model('Book', [], { dbTable: 'books' })));
    assert.deepEqual(names(ops), ['AlterModelTable']);
    assert.equal((ops[0] as AlterModelTable).table, 'books');
  });

  test('ordering and verbose names become AlterModelOptions', async () => {
    const ops = await detect(state(model('Book', [])), state(model('Book', [], { ordering: ['-id'], verboseName: 'tome' })));
    assert.deepEqual(names(ops), ['AlterModelOptions']);
    assert.deepEqual((ops[0] as AlterModelOptions).options, { ordering: ['-id'], verboseName: 'tome' });
  });

  test('identical states produce no operations', async () => {
    const make = () => state(model('Book', [['title', new CharField({ maxLength: 200 })]], { ordering: ['title'] }));
    assert.deepEqual(await detect(make(), make()), []);
  });
});

describe('autodetector: fields', () => {
  const base = () => [['title', new CharField({ maxLength: 200 })]] as [string, Field][];

  test('a new nullable field becomes AddField', async () => {
    const ops = await detect(state(model('Book', base())), state(model('Book', [...base(), ['pages', new IntegerField({ null: true })]])));
    assert.deepEqual(names(ops), ['AddField']);
    assert.equal((ops[0] as AddField).name, 'pages');
  });

  test('a new NOT NULL field without default asks for a one-off default', async () => {
    const to = state(model('Book', [...base(), ['pages', new IntegerField()]]));
    const ops = await detect(state(model('Book', base())), to, new Yes());
    const add = ops[0] as AddField;
    assert.equal(add.preserveDefault, false);
    assert.equal(add.field.getDefault(), 7);
  });

  test('with --noinput a NOT NULL field without default is refused with a clear error', async () => {
    const to = state(model('Book', [...base(), ['pages', new IntegerField()]]));
    await assert.rejects(detect(state(model('Book', base())), to), (error: unknown) => {
      assert.ok(error instanceof QuestionerAbortError);
      assert.match(error.message, /non-nullable field 'pages' to Book/);
      return true;
    });
  });

  test('a removed field becomes RemoveField', async () => {
    const ops = await detect(state(model('Book', base())), state(model('Book', [])));
    assert.deepEqual(names(ops), ['RemoveField']);
    assert.equal((ops[0] as RemoveField).name, 'title');
  });

  test('a changed field becomes AlterField; reordering its options does not', async () => {
    const from = state(model('Book', [['title', new CharField({ maxLength: 200, blank: true })]]));
    assert.deepEqual(await detect(from, state(model('Book', [['title', new CharField({ blank: true, maxLength: 200 })]]))), []);
    const ops = await detect(from, state(model('Book', [['title', new CharField({ maxLength: 300, blank: true })]])));
    assert.deepEqual(names(ops), ['AlterField']);
    assert.equal(((ops[0] as AlterField).field.options as { maxLength?: number }).maxLength, 300);
  });

  test('a field renamed with the same definition is a RenameField when confirmed', async () => {
    const from = state(model('Book', [['title', new CharField({ maxLength: 200, null: true })]]));
    const to = state(model('Book', [['name', new CharField({ maxLength: 200, null: true })]]));
    const ops = await detect(from, to, new Yes());
    assert.deepEqual(names(ops), ['RenameField']);
    assert.deepEqual([(ops[0] as RenameField).oldName, (ops[0] as RenameField).newName], ['title', 'name']);
    assert.deepEqual(names(await detect(from, to)), ['RemoveField', 'AddField']);
  });

  test('a many-to-many field is added with AddField', async () => {
    const from = state(model('Tag', []), model('Book', []));
    const to = state(model('Tag', []), model('Book', [['tags', new ManyToManyField('shop.Tag')]]));
    assert.deepEqual(names(await detect(from, to)), ['AddField']);
  });
});

describe('autodetector: indexes and constraints', () => {
  const fields = (): [string, Field][] => [['a', new IntegerField()], ['b', new IntegerField()]];

  test('indexes: added, removed, and renamed when only the name changed', async () => {
    const from = state(model('T', fields(), { indexes: [new Index({ fields: ['a'], name: 't_a' }), new Index({ fields: ['b'], name: 't_b' })] }));
    const to = state(model('T', fields(), { indexes: [new Index({ fields: ['a'], name: 't_a_new' }), new Index({ fields: ['a', 'b'], name: 't_ab' })] }));
    const ops = await detect(from, to);
    assert.deepEqual(names(ops), ['RemoveIndex', 'RenameIndex', 'AddIndex']);
    assert.equal((ops[0] as RemoveIndex).name, 't_b');
    assert.deepEqual([(ops[1] as RenameIndex).oldName, (ops[1] as RenameIndex).newName], ['t_a', 't_a_new']);
    assert.equal((ops[2] as AddIndex).index.name, 't_ab');
  });

  test('constraints: added and removed by name; a changed one is removed then added', async () => {
    const check = (min: number) => new CheckConstraint({ condition: Q({ a__gte: min }), name: 'a_min' });
    const from = state(model('T', fields(), { constraints: [check(0), new UniqueConstraint({ fields: ['a', 'b'], name: 'ab_u' })] }));
    const to = state(model('T', fields(), { constraints: [check(1)] }));
    const ops = await detect(from, to);
    assert.deepEqual(names(ops), ['RemoveConstraint', 'RemoveConstraint', 'AddConstraint']);
    assert.deepEqual(ops.slice(0, 2).map((op) => (op as RemoveConstraint).name), ['a_min', 'ab_u']);
    assert.equal((ops[2] as AddConstraint).constraint.name, 'a_min');
  });

  test('uniqueTogether changes become AlterUniqueTogether', async () => {
    const ops = await detect(state(model('T', fields())), state(model('T', fields(), { uniqueTogether: [['a', 'b']] })));
    assert.deepEqual(names(ops), ['AlterUniqueTogether']);
    assert.deepEqual((ops[0] as AlterUniqueTogether).uniqueTogether, [['a', 'b']]);
  });

  test('a uniqueTogether naming a removed field is dropped before the field', async () => {
    const from = state(model('T', fields(), { uniqueTogether: [['a', 'b']] }));
    const to = state(model('T', [['a', new IntegerField()]]));
    assert.deepEqual(names(await detect(from, to)), ['AlterUniqueTogether', 'RemoveField']);
  });
});

describe('arrangeForGraph', () => {
  test('numbers after the latest migration, names after the operations, depends on other apps', async () => {
    const graph = new MigrationGraph();
    const first = Object.assign(new Migration(), { appLabel: 'shop', name: '0001_initial' });
    const people = Object.assign(new Migration(), { appLabel: 'people', name: '0003_person' });
    graph.addNode('shop.0001_initial', first);
    graph.addNode('people.0003_person', people);
    const from = state(model('Book', []));
    const to = state(model('Book', [['rating', new IntegerField({ default: 0 })], ['owner', new ForeignKey('people.Person', { onDelete: CASCADE, null: true })]]));
    const changes = await new MigrationAutodetector(from, to).changes(new Set(['shop']));
    const [planned] = arrangeForGraph(changes, graph);
    assert.equal(planned!.name, '0002_book_rating_book_owner');
    assert.deepEqual(planned!.dependencies, [['shop', '0001_initial'], ['people', '0003_person']]);
  });

  test('an app without migrations gets 0001_initial', async () => {
    const changes = await new MigrationAutodetector(state(), state(model('Book', []))).changes();
    const [planned] = arrangeForGraph(changes, new MigrationGraph());
    assert.equal(planned!.name, '0001_initial');
    assert.equal(planned!.initial, true);
  });
});
