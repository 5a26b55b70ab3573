// loadFixtures(): fixtures loaded by name in a test, through loaddata's search and transaction.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callCommand, CommandError } from '../../src/core/management/index.ts';
import { loadFixtures } from '../../src/test/index.ts';
import { output, shelfModels, useShelfProject } from '../core/serializers/shelf-project.ts';

useShelfProject();

describe('loadFixtures()', () => {
  beforeEach(() => callCommand('flush', '--noinput', { stdout: output() }));

  test('loads the named fixtures from the apps, with or without their extension', async () => {
    const { Author, Tag } = shelfModels();
    await loadFixtures(['authors.json', 'tags']);
    const names = [];
    for await (const author of Author.objects.orderBy('pk')) names.push(author.name);
    assert.deepEqual(names, ['Ursula K. Le Guin', 'Terry Pratchett']);
    assert.equal(await Tag.objects.count(), 3); // one in authors.json, two in tags.jsonl
  });

  test('loads into the database `using` names', async () => {
    const { Author } = shelfModels();
    await loadFixtures(['authors'], { using: 'default' });
    assert.equal(await Author.objects.using('default').count(), 2);
  });

  test('a missing fixture fails naming it, and nothing is loaded', async () => {
    const { Author } = shelfModels();
    await assert.rejects(loadFixtures(['authors.json', 'no_such_fixture']), (error: unknown) => {
      assert.ok(error instanceof CommandError);
      assert.match(error.message, /no_such_fixture/);
      return true;
    });
    assert.equal(await Author.objects.count(), 0);
  });

  test('no names loads nothing', async () => {
    await loadFixtures([]);
    assert.equal(await shelfModels().Author.objects.count(), 0);
  });
});
