/**
 * The serialization API (nuages/core/serializers) on the shelf app: serialize() from
 * QuerySets, instances and async iterables; what a chunk costs in queries; deserialize()
 * and DeserializedObject; formats registered by a project; and the fixtures Nuages
 * writes, loaded by Django and dumped again unchanged (fixtures_oracle.py, part b).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callCommand } from '../../../src/core/management/index.ts';
import {
  DeserializationError,
  deserialize,
  getPublicSerializerFormats,
  getSerializationFormat,
  registerSerializer,
  serialize,
  Serializer,
  SerializerDoesNotExist,
  unregisterSerializer,
  type DumpObject,
} from '../../../src/core/serializers/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import type { Book as BookModel, Tag as TagModel } from './project/shelf/models.ts';
import { EXPECTED, ORACLE, output, useShelfProject, type ShelfModels } from './shelf-project.ts';

let shelf: ShelfModels;

useShelfProject({ dataset: true }, (models) => (shelf = models));

const TAGS = '[{"model": "shelf.tag", "pk": 1, "fields": {"name": "fantasy"}}, {"model": "shelf.tag", "pk": 2, "fields": {"name": "classic"}}, {"model": "shelf.tag", "pk": 3, "fields": {"name": "ünïcödé ✓"}}]';

describe('serialize()', () => {
  test('takes a QuerySet, instances or an async iterable, and writes the same', async () => {
    const tags = shelf.Tag.objects.orderBy('pk');
    assert.equal(await serialize('json', tags), TAGS);
    assert.equal(await serialize('json', await tags), TAGS);
    assert.equal(await serialize('json', tags.iterator()), TAGS);
  });

  test('fields limits the fields written; the key is always there', async () => {
    const text = await serialize('json', shelf.Book.objects.filter({ pk: 2 }), { fields: ['title', 'tags'] });
    assert.equal(text, '[{"model": "shelf.book", "pk": 2, "fields": {"title": "Mort", "tags": [1]}}]');
  });

  test('a chunk of objects costs one query per relation written, whatever its size', async () => {
    const books = shelf.Book.objects.orderBy('pk');
    // The books, then tags and readers (many-to-many), then author, editor and owner named by natural key.
    const text = await assertNumQueries(6, () => serialize('json', books, { useNaturalForeignKeys: true }));
    assert.equal(text, await serialize('json', books, { useNaturalForeignKeys: true, chunkSize: 1 }));
  });

  test('a natural key built from a relation loads that relation, one query for the chunk', async () => {
    const text = await assertNumQueries(2, () => serialize('json', shelf.Issue.objects.orderBy('pk'), { useNaturalPrimaryKeys: true }));
    assert.equal(
      text,
      '[{"model": "shelf.issue", "fields": {"series": 2, "number": 1, "title": "A Wizard of Earthsea"}}, ' +
        '{"model": "shelf.issue", "fields": {"series": 1, "number": 4, "title": "Mort"}}]',
    );
  });

  test('rows prefetchRelated() loaded are used as they are', async () => {
    const books = await shelf.Book.objects.orderBy('pk').prefetchRelated('tags', 'readers');
    const text = await assertNumQueries(0, () => serialize('jsonl', books, { fields: ['tags', 'readers'] }));
    assert.equal(text.split('\n')[0], '{"model": "shelf.book","pk": 1,"fields": {"tags": [1,2],"readers": [1,2]}}');
  });

  test('an unknown format is refused, listing the formats', async () => {
    await assert.rejects(serialize('xml', []), (error: Error) => error instanceof SerializerDoesNotExist && /Unknown serialization format: xml\. Formats: json, jsonl/.test(error.message));
  });
});

describe('deserialize()', () => {
  test('yields objects that are not saved until save()', async () => {
    const objects = [];
    for await (const obj of deserialize('json', '[{"model": "shelf.tag", "pk": 40, "fields": {"name": "unsaved"}}]')) objects.push(obj);
    assert.equal(objects.length, 1);
    assert.equal((objects[0]!.object as TagModel).name, 'unsaved');
    assert.equal(await shelf.Tag.objects.filter({ pk: 40 }).exists(), false);
    await objects[0]!.save();
    assert.equal((await shelf.Tag.objects.get({ pk: 40 })).name, 'unsaved');
    await shelf.Tag.objects.filter({ pk: 40 }).delete();
  });

  test("save() is a raw save: a model's own save() override is not called, as Django's save_base", async () => {
    const calls: string[] = [];
    const own = Object.getOwnPropertyDescriptor(shelf.Tag.prototype, 'save');
    Object.defineProperty(shelf.Tag.prototype, 'save', { configurable: true, value: () => void calls.push('override') });
    try {
      for await (const obj of deserialize('json', '[{"model": "shelf.tag", "pk": 41, "fields": {"name": "raw"}}]')) await obj.save();
    } finally {
      if (own) Object.defineProperty(shelf.Tag.prototype, 'save', own);
      else delete (shelf.Tag.prototype as { save?: unknown }).save;
    }
    assert.deepEqual(calls, []);
    assert.equal((await shelf.Tag.objects.get({ pk: 41 })).name, 'raw');
    await shelf.Tag.objects.filter({ pk: 41 }).delete();
  });

  test("reads Django's snake_case field names and a relation's attribute name", async () => {
    const text = JSON.stringify([{ model: 'shelf.book', pk: 9, fields: { title: 'x', author_id: 2, in_print: false, reading_time: 'P1DT2H', opens_at: '10:00' } }]);
    for await (const obj of deserialize('json', text)) {
      const book = obj.object as BookModel;
      assert.deepEqual([book.authorId, book.inPrint, book.readingTime, book.opensAt], [2, false, 93_600_000, '10:00:00']);
    }
  });

  test('an unknown field fails, or is skipped with ignoreNonExistent', async () => {
    const text = '[{"model": "shelf.tag", "pk": 1, "fields": {"name": "a", "colour": "green"}}]';
    await assert.rejects(drain(deserialize('json', text)), (error: Error) =>
      error instanceof DeserializationError && error.message === "Error deserializing object: Tag has no field named 'colour'. Choices are: id, name.");
    assert.equal((await drain(deserialize('json', text, { ignoreNonExistent: true }))).length, 1);
  });

  test("a value the field refuses names the object and the value, as Django's WithData", async () => {
    const text = '[{"model": "shelf.book", "pk": 3, "fields": {"price": "cheap"}}]';
    await assert.rejects(drain(deserialize('json', text)), { message: "['“cheap” value must be a decimal number.']: (shelf.book:pk=3) field_value was 'cheap'" });
  });

  test('a natural key naming no row fails unless forward references are handled', async () => {
    const text = '[{"model": "shelf.book", "pk": 3, "fields": {"author": ["Nobody"], "tags": [["nothing"]]}}]';
    await assert.rejects(drain(deserialize('json', text)), { message: "Author matching query does not exist.: (shelf.book:pk=3) field_value was '['Nobody']'" });
    const [obj] = await drain(deserialize('json', text, { handleForwardReferences: true }));
    assert.deepEqual([...obj!.deferredFields.keys()].map((field) => field.name), ['author', 'tags']);
  });

  test('text that is not JSON says where it broke', async () => {
    await assert.rejects(drain(deserialize('json', '[{"model": ')), (error: Error) => error instanceof DeserializationError && /^Invalid JSON: /.test(error.message));
    await assert.rejects(drain(deserialize('jsonl', '{"model": "shelf.tag", "pk": 1, "fields": {}}\n{oops}\n')), /^DeserializationError: Invalid JSON on line 2: /);
    await assert.rejects(drain(deserialize('json', '{"model": "shelf.tag"}')), /A JSON fixture is a list of objects/);
  });
});

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A project's own format: one `label pk name` line per object. */
class LinesSerializer extends Serializer {
  protected start(): string {
    return '';
  }

  protected object(dump: DumpObject): string {
    return `${dump.model} ${String(dump.pk)} ${String(dump.fields['name'])}\n`;
  }

  protected end(count: number): string {
    return `(${count})\n`;
  }
}

describe('registerSerializer()', () => {
  test("adds a format that dumpdata offers, writing with the shared walk", async () => {
    registerSerializer('lines', {
      createSerializer: () => new LinesSerializer(),
      deserialize: () => {
        throw new Error('lines cannot be read back');
      },
    });
    try {
      assert.ok(getPublicSerializerFormats().includes('lines'));
      const stdout = output();
      await callCommand('dumpdata', 'shelf.series', '--format', 'lines', { stdout });
      assert.equal(stdout.text, 'shelf.series 1 Discworld\nshelf.series 2 Earthsea\n(2)\n');
    } finally {
      unregisterSerializer('lines');
    }
    assert.throws(() => getSerializationFormat('lines'), SerializerDoesNotExist);
  });
});

describe('fixtures Nuages writes, loaded by Django 5.2 and dumped again', () => {
  const modes = JSON.parse(readFileSync(join(ORACLE, 'nuages', 'modes.json'), 'utf8')) as Record<string, string[]>;
  for (const [file, args] of Object.entries(modes)) {
    test(`${file} (dumpdata ${args.join(' ')})`, async () => {
      const stdout = output();
      await callCommand('dumpdata', ...args, { stdout });
      const written = readFileSync(join(ORACLE, 'nuages', file), 'utf8');
      assert.equal(stdout.text, written, 'nuages/ is stale: rerun make-nuages-dumps.ts, then fixtures_oracle.py');
      assert.equal(readFileSync(join(EXPECTED, `django-redump-${file}`), 'utf8'), written);
    });
  }
});
