// assertFormError, assertFormSetError, assertQuerySetEqual, assertLogs and assertWarns:
// each passes where Django's passes, fails where it fails, and says what differed.
import { after, before, describe, test } from 'node:test';
import assert, { AssertionError } from 'node:assert/strict';
import { CharField, connections, createTables, Model } from '../../src/db/index.ts';
import { CharField as FormCharField, defineForm, formsetFactory, IntegerField, ValidationError } from '../../src/forms/index.ts';
import {
  assertFormError,
  assertFormSetError,
  assertLogs,
  assertNoLogs,
  assertQuerySetEqual,
  assertWarns,
  TestToolMisuseError,
} from '../../src/test/index.ts';
import { getLogger } from '../../src/utils/log.ts';

connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });

class Shelf extends Model<Shelf>()({ name: new CharField({ maxLength: 20 }) }, { appLabel: 'adt' }) {}
class SortedShelf extends Model<SortedShelf>()({ name: new CharField({ maxLength: 20 }) }, { appLabel: 'adt', ordering: ['name'] }) {}

before(async () => {
  await createTables([Shelf, SortedShelf]);
  for (const name of ['b', 'a']) {
    await Shelf.objects.create({ name });
    await SortedShelf.objects.create({ name });
  }
});
after(() => connections.closeAll());

class Contact extends defineForm({ name: new FormCharField(), age: new IntegerField({ required: false }) }) {
  override clean(): unknown {
    throw new ValidationError('Whole form bad.');
  }
}

describe('assertFormError', () => {
  test('passes for the field errors given as one message or a list, and [] for none', async () => {
    const form = new Contact({ data: { name: '' } });
    await assertFormError(form, 'name', 'This field is required.');
    await assertFormError(form, 'name', ['This field is required.']);
    await assertFormError(form, 'age', []);
    await assertFormError(form, null, 'Whole form bad.');
  });

  test('fails when the messages differ, with both lists', async () => {
    const form = new Contact({ data: { name: '' } });
    await assert.rejects(assertFormError(form, 'name', 'Nope.'), (error: unknown) => {
      assert.ok(error instanceof AssertionError);
      assert.equal(
        error.message,
        `The errors of field 'name' on form <Contact bound=true, valid=false, fields=(name;age)> don't match: ["This field is required."] != ["Nope."]`,
      );
      assert.deepEqual(error.actual, ['This field is required.']);
      return true;
    });
    await assert.rejects(assertFormError(form, null, 'x'), { message: /^The non-field errors on form <Contact .*> don't match: \["Whole form bad."\] != \["x"\]$/ });
  });

  test('fails for an unknown field and for an unbound form', async () => {
    await assert.rejects(assertFormError(new Contact({ data: {} }), 'zzz', 'x'), {
      name: 'AssertionError',
      message: "The form <Contact bound=true, valid=false, fields=(name;age)> does not contain the field 'zzz'. Its fields are: name, age.",
    });
    await assert.rejects(assertFormError(new Contact(), 'name', 'x'), {
      message: 'The form <Contact bound=false, valid=Unknown, fields=(name;age)> is not bound, it will never have any errors.',
    });
  });
});

describe('assertFormSetError', () => {
  const Item = defineForm({ title: new FormCharField() });
  const Items = formsetFactory(Item, { minNum: 1, validateMin: true });
  const bound = () => new Items({ data: { 'form-TOTAL_FORMS': '1', 'form-INITIAL_FORMS': '0', 'form-0-title': '' } });

  test('checks the errors of one form of the formset, and its non-form errors', async () => {
    await assertFormSetError(bound(), 0, 'title', 'This field is required.');
    await assertFormSetError(bound(), 0, null, []);
    await assertFormSetError(bound(), null, null, 'Please submit at least 1 form.');
    await assert.rejects(assertFormSetError(bound(), 0, 'title', 'x'), { message: /^The errors of field 'title' on form 0 of formset <.*> don't match/ });
    await assert.rejects(assertFormSetError(bound(), null, null, 'x'), {
      message: /^The non-form errors of formset <.*> don't match: \["Please submit at least 1 form."\] != \["x"\]$/,
    });
  });

  test('fails for a form index out of range and an unbound formset', async () => {
    await assert.rejects(assertFormSetError(bound(), 3, 'title', 'x'), { message: /^The formset <.*> only has 1 form\.$/ });
    await assert.rejects(assertFormSetError(new Items(), 0, 'title', 'x'), { message: /is not bound, it will never have any errors\.$/ });
  });

  test('a field without a form index is a misuse', async () => {
    await assert.rejects(assertFormSetError(bound(), null, 'title', 'x'), TestToolMisuseError);
  });
});

describe('assertQuerySetEqual', () => {
  const name = (shelf: { name: string }) => shelf.name;

  test('compares an ordered queryset in order', async () => {
    await assertQuerySetEqual(Shelf.objects.orderBy('name'), ['a', 'b'], { transform: name });
    await assertQuerySetEqual(SortedShelf.objects.all(), ['a', 'b'], { transform: name });
    await assertQuerySetEqual(Shelf.objects.valuesList('name', { flat: true }).orderBy('name'), ['a', 'b']);
    await assert.rejects(assertQuerySetEqual(Shelf.objects.orderBy('name'), ['b', 'a'], { transform: name }), {
      name: 'AssertionError',
      message: "Lists differ: [ 'a', 'b' ] != [ 'b', 'a' ]",
    });
  });

  test('refuses an unordered queryset compared in order with several values', async () => {
    await assert.rejects(assertQuerySetEqual(Shelf.objects.all(), ['a', 'b'], { transform: name }), TestToolMisuseError);
    await assert.rejects(assertQuerySetEqual(SortedShelf.objects.orderBy(), ['a', 'b'], { transform: name }), TestToolMisuseError);
    await assertQuerySetEqual(Shelf.objects.filter({ name: 'a' }), ['a'], { transform: name });
  });

  test('ordered: false compares as a multiset', async () => {
    await assertQuerySetEqual(Shelf.objects.all(), ['b', 'a'], { transform: name, ordered: false });
    await assert.rejects(assertQuerySetEqual(Shelf.objects.all(), ['b', 'c'], { transform: name, ordered: false }), {
      message: "Items differ (in any order): [ 'b', 'a' ] != [ 'b', 'c' ]\nOnly in the queryset: [ 'a' ]\nOnly expected: [ 'c' ]",
    });
    await assert.rejects(assertQuerySetEqual(Shelf.objects.all(), ['a', 'a'], { transform: name, ordered: false }), AssertionError);
  });

  test('compares model instances by model and pk when there is no transform', async () => {
    const shelves: Shelf[] = [];
    for await (const shelf of Shelf.objects.orderBy('pk')) shelves.push(shelf);
    const [first, second] = shelves;
    await assertQuerySetEqual(Shelf.objects.orderBy('pk'), [first!, second!]);
    await assert.rejects(assertQuerySetEqual(Shelf.objects.orderBy('pk'), [second!, first!]), AssertionError);
  });
});

describe('assertLogs / assertNoLogs', () => {
  const log = getLogger('adt.shop');
  const child = getLogger('adt.shop.orders');

  test('collects the records at the level and above, from child loggers too', async () => {
    const { output, records, result } = await assertLogs('adt.shop', 'info', () => {
      child.info('first 1');
      log.error('second');
      log.debug('hidden');
      return 42;
    });
    assert.deepEqual(output, ['INFO:adt.shop.orders:first 1', 'ERROR:adt.shop:second']);
    assert.deepEqual(records.map((r) => r.message), ['first 1', 'second']);
    assert.equal(result, 42);
  });

  test('fails when nothing reached the level', async () => {
    await assert.rejects(assertLogs('adt.shop', 'error', () => log.info('first')), {
      name: 'AssertionError',
      message: "No logs of level 'error' or higher were written to 'adt.shop'",
    });
    await assert.rejects(assertLogs('adt.shop', () => log.debug('below the default level, info')), AssertionError);
  });

  test('assertNoLogs fails listing what was logged', async () => {
    await assertNoLogs('adt.shop', 'warning', () => log.info('fine'));
    await assert.rejects(assertNoLogs('adt.shop', () => log.info('first')), { message: 'Unexpected logs found: ["INFO:adt.shop:first"]' });
  });
});

describe('assertWarns', () => {
  test('returns the matching warnings, by type, code or message', async () => {
    const found = await assertWarns(() => process.emitWarning('Keys with spaces are not portable', { type: 'CacheKeyWarning', code: 'NUAGES_CACHE_KEY' }), {
      type: 'CacheKeyWarning',
      message: 'spaces',
    });
    assert.deepEqual(found, [{ type: 'CacheKeyWarning', code: 'NUAGES_CACHE_KEY', message: 'Keys with spaces are not portable' }]);
    await assertWarns(() => process.emitWarning('old API', 'DeprecationWarning'), { message: /^old/ });
  });

  test('fails listing the warnings emitted instead', async () => {
    await assert.rejects(assertWarns(() => process.emitWarning('other', { type: 'Warning', code: 'X' }), { type: 'CacheKeyWarning' }), {
      name: 'AssertionError',
      message: 'a warning with type "CacheKeyWarning" was not emitted. Warnings emitted:\nWarning [X]: other',
    });
    await assert.rejects(assertWarns(() => undefined), { message: 'a warning was not emitted. Warnings emitted:\n(none)' });
  });

  test('restores process.emitWarning afterwards, even when fn throws', async () => {
    const original = process.emitWarning;
    await assert.rejects(assertWarns(() => {
      throw new Error('boom');
    }), { message: 'boom' });
    assert.equal(process.emitWarning, original);
  });
});
