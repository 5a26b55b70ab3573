/**
 * Defining relations: ForeignKey, OneToOneField and ManyToManyField by class,
 * by 'app.Model' / 'Model' string and by 'self'; relatedName and
 * relatedQueryName; through models with extra fields; onDelete through
 * many-to-many join rows. Expected values marked "Django 5.2" were printed by
 * tests/db/models/django/managers_oracle.py on the same schema.
 */
import { test, describe, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, ForeignKey, OneToOneField, ManyToManyField, CASCADE, SET_NULL, PROTECT,
  connections, createTables, RelationNotLoadedError, ModelStateError, ProtectedError, FieldError,
  type RelatedManager, type ManyRelatedManager,
} from '../../../src/db/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Person extends Model<Person>()({
  name: new CharField({ maxLength: 50 }),
  friends: new ManyToManyField<Person>('self'),
  following: new ManyToManyField<Person>('self', { symmetrical: false, relatedName: 'followers' }),
  mentor: new ForeignKey<Person, true>('self', { onDelete: SET_NULL, null: true, relatedName: 'mentees' }),
}, { appLabel: 'defs' }) {}
interface Person {
  followers: ManyRelatedManager<Person>;
  mentees: RelatedManager<Person>;
  clubs: ManyRelatedManager<Club>;
  passport: Passport | null;
}

class Club extends Model<Club>()({
  name: new CharField({ maxLength: 50 }),
  // The through model by name: a thunk would make Club's and Membership's types depend on each other.
  members: new ManyToManyField(() => Person, { through: 'Membership', relatedName: 'clubs' }),
}, { appLabel: 'defs' }) {}

class Membership extends Model<Membership>()({
  person: new ForeignKey(() => Person, { onDelete: CASCADE }),
  club: new ForeignKey(() => Club, { onDelete: CASCADE }),
  role: new CharField({ maxLength: 20, default: 'member' }),
}, { appLabel: 'defs' }) {}

class Post extends Model<Post>()({
  title: new CharField({ maxLength: 50 }),
  // A bare model name resolves in the declaring model's app, as in Django.
  tags: new ManyToManyField<Tag>('Tag', { relatedName: 'posts', relatedQueryName: 'post' }),
}, { appLabel: 'defs' }) {}

class Tag extends Model<Tag>()({
  name: new CharField({ maxLength: 50 }),
}, { appLabel: 'defs' }) {}
interface Tag { posts: ManyRelatedManager<Post> }

class Passport extends Model<Passport>()({
  holder: new OneToOneField(() => Person, { onDelete: CASCADE, relatedName: 'passport' }),
  number: new IntegerField(),
}, { appLabel: 'defs' }) {}

class Place extends Model<Place>()({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'defs' }) {}
class Restaurant extends Model<Restaurant>()({
  place: new OneToOneField(() => Place, { onDelete: PROTECT }),
  serves: new CharField({ maxLength: 50 }),
}, { appLabel: 'defs' }) {}

const ALL = [Person, Club, Membership, Post, Tag, Passport, Place, Restaurant];

before(async () => {
  await createTables(ALL);
});

beforeEach(async () => {
  const connection = connections.get('default');
  // Join tables first, then each model after the ones that refer to it.
  const tables = [
    ...[Person._meta.getField('friends'), Person._meta.getField('following'), Post._meta.getField('tags')].map(joinTable),
    ...[...ALL].reverse().map((m) => m._meta.dbTable),
  ];
  if (connection.vendor === 'postgres') {
    // Emptied and keys restarted at 1, as the SQLite branch does through sqlite_sequence.
    await connection.execute({ sql: `TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY`, params: [] });
    return;
  }
  for (const table of tables) {
    await connection.execute({ sql: `DELETE FROM "${table}"`, params: [] });
    await connection.execute({ sql: `DELETE FROM sqlite_sequence WHERE name = ?`, params: [table] });
  }
});

after(() => connections.closeAll());

function joinTable(field: unknown): string {
  return ((field as ManyToManyField).throughModel as unknown as typeof Person)._meta.dbTable;
}

async function people(...names: string[]): Promise<Person[]> {
  const out: Person[] = [];
  for (const name of names) out.push(await Person.objects.create({ name }));
  return out;
}

async function pks(qs: PromiseLike<readonly { pk: unknown }[]>): Promise<unknown[]> {
  return (await qs).map((o) => o.pk);
}

describe('automatic join models', () => {
  test('tables and columns are named as Django names them, self relations included', () => {
    const friends = ((Person._meta.getField('friends') as ManyToManyField).throughModel as unknown as typeof Person)._meta;
    // Django 5.2: defs_person_friends (id, from_person_id, to_person_id), defs_post_tags.
    assert.equal(friends.dbTable, 'defs_person_friends');
    assert.deepEqual(friends.fields.map((f) => f.column), ['id', 'from_person_id', 'to_person_id']);
    assert.equal(joinTable(Person._meta.getField('following')), 'defs_person_following');
    assert.equal(joinTable(Post._meta.getField('tags')), 'defs_post_tags');
  });

  test('the join model is labelled <Model>_<field> in delete counts', async () => {
    const post = await Post.objects.create({ title: 'p' });
    const tag = await Tag.objects.create({ name: 'a' });
    await post.tags.add(tag);
    assert.deepEqual(await post.delete(), [2, { 'defs.Post_tags': 1, 'defs.Post': 1 }]);
    assert.equal(await Tag.objects.count(), 1);
  });
});

describe("'self' relations", () => {
  test('a symmetrical many-to-many to self relates both ways with one add()', async () => {
    const [ann, bob, cid] = await people('Ann', 'Bob', 'Cid');
    await ann!.friends.add(bob!, cid!);
    // Django 5.2: bob.friends == [ann]; 4 join rows (each pair both ways).
    assert.deepEqual(await pks(bob!.friends.orderBy('pk')), [ann!.pk]);
    assert.deepEqual(await pks(ann!.friends.orderBy('pk')), [bob!.pk, cid!.pk]);
    const through = (Person._meta.getField('friends') as ManyToManyField).throughModel as unknown as typeof Person;
    assert.equal(await through.objects.count(), 4);
  });

  test('removing from either side removes both directions', async () => {
    const [ann, bob, cid] = await people('Ann', 'Bob', 'Cid');
    await ann!.friends.add(bob!, cid!);
    await bob!.friends.remove(ann!);
    assert.deepEqual(await pks(ann!.friends.all()), [cid!.pk]);
    assert.deepEqual(await pks(bob!.friends.all()), []);
  });

  test('clear() on a symmetrical relation clears the mirror rows too', async () => {
    const [ann, bob] = await people('Ann', 'Bob');
    await ann!.friends.add(bob!);
    await ann!.friends.clear();
    assert.deepEqual(await pks(bob!.friends.all()), []);
  });

  test('symmetrical: false has a reverse accessor (followers) and goes one way', async () => {
    const [ann, bob] = await people('Ann', 'Bob');
    await ann!.following.add(bob!);
    assert.deepEqual(await pks(bob!.followers.all()), [ann!.pk]);
    assert.deepEqual(await pks(ann!.followers.all()), []);
    assert.deepEqual(await pks(ann!.following.all()), [bob!.pk]);
  });

  test('filters through a self many-to-many', async () => {
    const [ann, bob, cid] = await people('Ann', 'Bob', 'Cid');
    await ann!.friends.add(bob!, cid!);
    await bob!.friends.remove(ann!);
    assert.deepEqual(await Person.objects.filter({ friends__name: 'Ann' }).orderBy('pk').valuesList('pk', { flat: true }), [cid!.pk]);
  });

  test('a ForeignKey to self has a reverse manager', async () => {
    const [ann, , , dee] = await people('Ann', 'Bob', 'Cid', 'Dee');
    dee!.mentor = ann!;
    await dee!.save();
    assert.deepEqual(await pks(ann!.mentees.all()), [dee!.pk]);
    assert.deepEqual(await Person.objects.filter({ mentees__name: 'Dee' }).valuesList('name', { flat: true }), ['Ann']);
  });

  test('deleting a person removes its join rows both ways and nulls its mentees (Django 5.2 counts)', async () => {
    const [ann, bob, cid, dee] = await people('Ann', 'Bob', 'Cid', 'Dee');
    await ann!.friends.add(bob!, cid!);
    await bob!.friends.remove(ann!);
    await ann!.following.add(bob!);
    dee!.mentor = ann!;
    await dee!.save();
    await dee!.friends.add(ann!);
    assert.deepEqual(await ann!.delete(), [6, { 'defs.Person_friends': 4, 'defs.Person_following': 1, 'defs.Person': 1 }]);
    await dee!.refreshFromDb();
    assert.equal(dee!.mentorId, null);
  });
});

describe('relatedName and relatedQueryName', () => {
  test('relatedQueryName names the filter, relatedName the accessor', async () => {
    const post = await Post.objects.create({ title: 'p' });
    const tag = await Tag.objects.create({ name: 'e' });
    await post.tags.add(tag);
    assert.deepEqual(await Tag.objects.filter({ post__title: 'p' }).valuesList('name', { flat: true }), ['e']);
    assert.deepEqual(await pks(tag.posts.all()), [post.pk]);
    assert.throws(() => Tag.objects.filter({ posts__title: 'p' }), FieldError);
  });

  test("relatedName '+' leaves no reverse accessor", () => {
    class Note extends Model<Note>()({
      person: new ForeignKey(() => Person, { onDelete: CASCADE, relatedName: '+' }),
    }, { appLabel: 'defs' }) {}
    void Note._meta;
    assert.equal(Object.getOwnPropertyDescriptor(Person.prototype, '+'), undefined);
    assert.equal('noteSet' in Person.prototype, false);
  });

  test('a reverse accessor clashing with a field is refused, naming relatedName as the fix', () => {
    class Owner extends Model<Owner>()({ name: new CharField({ maxLength: 10 }) }, { appLabel: 'clash' }) {}
    class Pet extends Model<Pet>()({
      owner: new ForeignKey(() => Owner, { onDelete: CASCADE, relatedName: 'name' }),
    }, { appLabel: 'clash' }) {}
    void Owner._meta;
    assert.throws(() => Pet._meta, (err: Error) => err instanceof ModelStateError && /relatedName/.test(err.message) && /Owner\.name/.test(err.message));
  });
});

describe('through models with extra fields', () => {
  test('add() and create() fill extra columns from throughDefaults (Django 5.2 rows)', async () => {
    const club = await Club.objects.create({ name: 'c' });
    const [bob] = await people('Bob');
    await club.members.add(bob!, { throughDefaults: { role: 'lead' } });
    await club.members.create({ name: 'Eve' }, { throughDefaults: { role: 'guest' } });
    assert.deepEqual(await Membership.objects.orderBy('pk').valuesList('person__name', 'role'), [['Bob', 'lead'], ['Eve', 'guest']]);
    assert.deepEqual(await club.members.orderBy('name').valuesList('name', { flat: true }), ['Bob', 'Eve']);
    assert.deepEqual(await bob!.clubs.valuesList('name', { flat: true }), ['c']);
  });

  test('without throughDefaults the extra field takes its default', async () => {
    const club = await Club.objects.create({ name: 'c' });
    const [bob] = await people('Bob');
    await club.members.add(bob!);
    assert.deepEqual(await Membership.objects.valuesList('role', { flat: true }), ['member']);
  });

  test('filters can reach the through model’s extra fields', async () => {
    const club = await Club.objects.create({ name: 'c' });
    const [bob, eve] = await people('Bob', 'Eve');
    await club.members.add(bob!, { throughDefaults: { role: 'lead' } });
    await club.members.add(eve!);
    assert.deepEqual(await Person.objects.filter({ membership__role: 'lead' }).valuesList('name', { flat: true }), ['Bob']);
  });

  test('deleting the club deletes its memberships, not the people (Django 5.2 counts)', async () => {
    const club = await Club.objects.create({ name: 'c' });
    const [bob] = await people('Bob');
    await club.members.add(bob!, { throughDefaults: { role: 'lead' } });
    await club.members.create({ name: 'Eve' });
    assert.deepEqual(await club.delete(), [3, { 'defs.Membership': 2, 'defs.Club': 1 }]);
    assert.equal(await Person.objects.count(), 2);
  });
});

describe('one-to-one relations', () => {
  test('the forward side reads like a ForeignKey once loaded', async () => {
    const [ann] = await people('Ann');
    await Passport.objects.create({ holder: ann!, number: 7 });
    const passport = await Passport.objects.selectRelated('holder').get({ number: 7 });
    assert.equal(passport.holder.name, 'Ann');
  });

  test('the reverse side is one object after selectRelated, null when there is none', async () => {
    const [ann] = await people('Ann', 'Bob');
    await Passport.objects.create({ holder: ann!, number: 7 });
    const [a, b] = await Person.objects.selectRelated('passport').orderBy('pk');
    assert.equal(a!.passport!.number, 7);
    assert.equal(b!.passport, null);
  });

  test('the reverse side after prefetchRelated, and the passport knows its holder', async () => {
    const [ann] = await people('Ann', 'Bob');
    await Passport.objects.create({ holder: ann!, number: 7 });
    const [a, b] = await Person.objects.prefetchRelated('passport').orderBy('pk');
    assert.equal(a!.passport!.number, 7);
    assert.equal(a!.passport!.holder, a);
    assert.equal(b!.passport, null);
  });

  test('reading the reverse side unloaded throws RelationNotLoadedError naming the fixes', async () => {
    const [ann] = await people('Ann');
    const fresh = await Person.objects.get({ pk: ann!.pk });
    assert.throws(() => fresh.passport, (err: Error) => {
      assert.ok(err instanceof RelationNotLoadedError);
      assert.equal((err as RelationNotLoadedError).code, 'NUAGES_DB_RELATION_NOT_LOADED');
      assert.match(err.message, /Person\.passport/);
      assert.match(err.message, /selectRelated\('passport'\)/);
      assert.match(err.message, /fetchRelated\('passport'\)/);
      return true;
    });
  });

  test('fetchRelated loads the reverse side, null when missing', async () => {
    const [ann, bob] = await people('Ann', 'Bob');
    await Passport.objects.create({ holder: ann!, number: 7 });
    assert.equal(((await (await Person.objects.get({ pk: ann!.pk })).fetchRelated('passport')) as Passport).number, 7);
    assert.equal(await (await Person.objects.get({ pk: bob!.pk })).fetchRelated('passport'), null);
  });

  test('a second row for the same target violates the unique key', async () => {
    const [ann] = await people('Ann');
    await Passport.objects.create({ holder: ann!, number: 7 });
    await assert.rejects(Passport.objects.create({ holder: ann!, number: 8 }));
  });

  test('the default reverse name is the model name, and PROTECT guards it', async () => {
    const place = await Place.objects.create({ name: 'p' });
    await Restaurant.objects.create({ place, serves: 'soup' });
    const [loaded] = await Place.objects.selectRelated('restaurant');
    assert.equal((loaded as Place & { restaurant: Restaurant }).restaurant.serves, 'soup');
    assert.deepEqual(await Place.objects.filter({ restaurant__serves: 'soup' }).valuesList('name', { flat: true }), ['p']);
    await assert.rejects(place.delete(), ProtectedError);
  });
});
