// Model and field checks against Django 5.2: the models of django/checks_oracle.py, defined
// the same way here, give the same IDs, messages, hints and objects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CASCADE, CharField, ForeignKey, Index, IntegerField, JSONField, ManyToManyField, Model, SET_DEFAULT, UniqueConstraint,
} from '../../../src/db/index.ts';
import { checkModel, describeObject, runChecks, Tags } from '../../../src/core/checks/index.ts';
import { actual, DJANGO, translateExpected } from './django-fixture.ts';

const chk = { appLabel: 'chk' };

class Author extends Model<Author>()({ name: new CharField({ maxLength: 50 }) }, chk) {}

class Names extends Model<Names>()(
  { title_: new CharField({ maxLength: 10 }), first__last: new CharField({ maxLength: 10 }), pk: new IntegerField() },
  chk,
) {}

class Options extends Model<Options>()(
  {
    size: new CharField({ maxLength: 2, choices: [['s', 'Small'], ['xl', 'Extra large'], ['xxl', 'Huge']] }),
    data: new JSONField({ default: {} }),
    parent: new ForeignKey('self', { onDelete: SET_DEFAULT, relatedName: 'children' }),
    owner: new ForeignKey(() => Author, { onDelete: CASCADE, unique: true, relatedName: 'owned' }),
    fans: new ManyToManyField(() => Author, { null: true, relatedName: 'liked' } as never),
  },
  chk,
) {}

class NullKey extends Model<NullKey>()({ code: new CharField({ maxLength: 5, primaryKey: true, null: true }) }, chk) {}

class TwoKeys extends Model<TwoKeys>()(
  { first: new IntegerField({ primaryKey: true }), second: new IntegerField({ primaryKey: true }) },
  chk,
) {}

class IdNotKey extends Model<IdNotKey>()({ id: new IntegerField() }, chk) {}

class Columns extends Model<Columns>()(
  { left: new IntegerField({ dbColumn: 'shared' }), right: new IntegerField({ dbColumn: 'shared' }) },
  { ...chk, ordering: ['-missing', 'left', '?', 'author__name'], indexes: [new Index({ fields: ['nowhere'], name: 'columns_nowhere_idx' })] },
) {}

class TableOne extends Model<TableOne>()({}, { ...chk, dbTable: 'shared_table' }) {}
class TableTwo extends Model<TableTwo>()({}, { ...chk, dbTable: 'shared_table' }) {}

class Book extends Model<Book>()(
  {
    writer: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'books' }),
    editor: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'books' }),
  },
  chk,
) {}

class Tag extends Model<Tag>()({ article: new IntegerField() }, chk) {}
class Article extends Model<Article>()({ tag: new ForeignKey(() => Tag, { onDelete: CASCADE }) }, chk) {}

const ORACLE_MODELS = [Author, Names, Options, NullKey, TwoKeys, IdNotKey, Columns, TableOne, TableTwo, Book, Tag, Article];
// Building the metadata registers each model in the app registry, as importing models.ts does.
for (const model of ORACLE_MODELS) void model._meta;

describe('model checks give what Django 5.2 gives for the same models', () => {
  test('the whole set: fields.E001–E010, E303–E305, E321, W340, W342; models.E004, E007, E012, E015, E026, E028', async () => {
    const found = await runChecks({ tags: [Tags.models] });
    const ours = found.filter((m) => /^chk\.|^shared_table$/.test(describeObject(m.obj)));
    assert.deepEqual(actual(ours), translateExpected(DJANGO.models));
  });

  test('every model of the oracle gets at least one message, so none was skipped by accident', async () => {
    const found = await runChecks({ tags: [Tags.models] });
    const labels = new Set(found.map((m) => describeObject(m.obj).split('.').slice(0, 2).join('.')));
    for (const model of ORACLE_MODELS.filter((m) => m !== Author && m !== Tag)) {
      assert.ok(labels.has(model._meta.label) || model._meta.dbTable === 'shared_table', model._meta.label);
    }
  });

  test('the join model Nuages creates for a many-to-many field is not checked on its own', async () => {
    const found = await runChecks({ tags: [Tags.models] });
    assert.ok(!found.some((m) => describeObject(m.obj).startsWith('chk.Options_fans')));
  });
});

describe('model checks Nuages adds or words its own way', () => {
  test('a field named like a model method or accessor hides it: nuages.fields.E101', () => {
    const TicketBase = Model<Ticket>()({ save: new CharField({ maxLength: 5 }), seat: new IntegerField() } as {}, { appLabel: 'own' });
    class Ticket extends TicketBase {
      get seat(): string {
        return 'computed';
      }
    }
    const messages = checkModel(Ticket).map(String);
    assert.deepEqual(messages, [
      "own.Ticket.save: (nuages.fields.E101) The field name 'save' clashes with Model.save, which the field value would hide on every instance.\n" +
        "\tHINT: Rename the field (and keep its column with dbColumn: 'save'), or rename the member.",
      "own.Ticket.seat: (nuages.fields.E101) The field name 'seat' clashes with Ticket.seat, which the field value would hide on every instance.\n" +
        "\tHINT: Rename the field (and keep its column with dbColumn: 'seat'), or rename the member.",
    ]);
  });

  test('a shared array default on a JSON field, and a callable one', () => {
    class Prefs extends Model<Prefs>()(
      { tags: new JSONField({ default: [] }), extra: new JSONField({ default: () => ({}) }), none: new JSONField({ null: true, default: null }) },
      { appLabel: 'own' },
    ) {}
    assert.deepEqual(checkModel(Prefs).map((m) => [m.id, describeObject(m.obj)]), [['fields.E010', 'own.Prefs.tags']]);
  });

  test('ordering by a transform, a lookup, a reverse relation and pk is valid; a lookup in the middle is not', () => {
    class Shelf extends Model<Shelf>()({ label: new CharField({ maxLength: 5 }) }, { appLabel: 'own' }) {}
    class Volume extends Model<Volume>()(
      { title: new CharField({ maxLength: 5 }), shelf: new ForeignKey(() => Shelf, { onDelete: CASCADE, relatedName: 'volumes' }) },
      { appLabel: 'own', ordering: ['shelf__label', '-shelfId', 'pk', 'title__iexact', 'shelf__volumes__title', 'title__exact__exact'] },
    ) {}
    assert.deepEqual(
      checkModel(Volume).map((m) => m.msg),
      ["'ordering' refers to the nonexistent field, related field, or lookup 'title__exact__exact'."],
    );
  });

  test('uniqueTogether and constraints naming missing or many-to-many fields: models.E012, E013', () => {
    class Group extends Model<Group>()({ name: new CharField({ maxLength: 5 }) }, { appLabel: 'own' }) {}
    class Member extends Model<Member>()(
      { name: new CharField({ maxLength: 5 }), groups: new ManyToManyField(() => Group) },
      { appLabel: 'own', uniqueTogether: [['name', 'ghost']], constraints: [new UniqueConstraint({ fields: ['groups'], name: 'member_groups_uniq' })] },
    ) {}
    assert.deepEqual(
      checkModel(Member).map((m) => [m.id, m.msg]),
      [
        ['models.E012', "'uniqueTogether' refers to the nonexistent field 'ghost'."],
        ['models.E013', "'constraints' refers to a ManyToManyField 'groups', but ManyToManyFields are not permitted in 'constraints'."],
      ],
    );
  });

  test('a reverse query name equal to another relation’s accessor: fields.E305', () => {
    class Person extends Model<Person>()({ name: new CharField({ maxLength: 5 }) }, { appLabel: 'own' }) {}
    class Letter extends Model<Letter>()(
      {
        sender: new ForeignKey(() => Person, { onDelete: CASCADE, relatedName: 'sent', relatedQueryName: 'received' }),
        recipient: new ForeignKey(() => Person, { onDelete: CASCADE, relatedName: 'received' }),
      },
      { appLabel: 'own' },
    ) {}
    assert.deepEqual(
      checkModel(Letter).map((m) => [m.id, describeObject(m.obj)]),
      [['fields.E305', 'own.Letter.sender']],
    );
  });
});
