// The examples of docs/serialization.md, run on the shelf app (its models have the names
// the examples use: Book, Tag, Series, Issue).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callCommand } from '../../../src/core/management/index.ts';
import { deserialize, registerSerializer, serialize, Serializer, unregisterSerializer, type DumpObject } from '../../../src/core/serializers/index.ts';
import { output, useShelfProject, type ShelfModels } from './shelf-project.ts';

let shelf: ShelfModels;

useShelfProject({ dataset: true }, (models) => (shelf = models));

test('docs/serialization.md: serialize() and deserialize()', async () => {
  const text = await serialize('json', shelf.Book.objects.filter({ rating__gte: 4 }), { indent: 2 });
  assert.match(text, /^\[\n\{\n {2}"model": "shelf\.book",\n {2}"pk": 1,\n {2}"fields": \{/);
  assert.equal((await serialize('jsonl', await shelf.Tag.objects.all(), { fields: ['name'] })).split('\n').length, 4);
  assert.match(await serialize('json', shelf.Issue.objects.all(), { useNaturalForeignKeys: true, useNaturalPrimaryKeys: true }), /"series": \["Earthsea"\]/);
  await shelf.Book.objects.all().delete();
  for await (const obj of deserialize('json', text, { ignoreNonExistent: true })) {
    assert.ok(obj.object instanceof shelf.Book);
    await obj.save();
  }
  assert.deepEqual(await shelf.Book.objects.orderBy('pk').valuesList('pk', { flat: true }), [1, 3]);
  assert.deepEqual(await (await shelf.Book.objects.get({ pk: 1 })).tags.orderBy('pk').valuesList('pk', { flat: true }), [1, 2]);
});

test('docs/serialization.md: a format of your own', async () => {
  class CsvLines extends Serializer {
    protected start() { return 'model,pk\n'; }
    protected object(dump: DumpObject) { return `${dump.model},${String(dump.pk)}\n`; }
    protected end() { return ''; }
  }
  registerSerializer('csvlines', {
    createSerializer: () => new CsvLines(),
    deserialize: () => { throw new Error('csvlines is write-only'); },
  });
  try {
    const stdout = output();
    await callCommand('dumpdata', 'shelf.series', '--format', 'csvlines', { stdout });
    assert.equal(stdout.text, 'model,pk\nshelf.series,1\nshelf.series,2\n');
  } finally {
    unregisterSerializer('csvlines');
  }
});
