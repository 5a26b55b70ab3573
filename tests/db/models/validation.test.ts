import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, EmailField, IntegerField, DecimalField, connections, createTables, captureQueries, Q, Decimal,
  CheckConstraint, UniqueConstraint, ValidationError, IntegrityError,
} from '../../../src/db/index.ts';
import { minValueValidator } from '../../../src/core/validators.ts';
import { testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings() });

class Member extends Model<Member>()({
  email: new EmailField({ unique: true }),
  nick: new CharField({ maxLength: 5, blank: true }),
  team: new CharField({ maxLength: 10 }),
  number: new IntegerField({ validators: [minValueValidator(1)] }),
  role: new CharField({ maxLength: 1, choices: [['a', 'Admin'], ['u', 'User']], default: 'u' }),
  price: new DecimalField({ maxDigits: 4, decimalPlaces: 2, default: () => new Decimal(0) }),
}, {
  appLabel: 'val',
  uniqueTogether: [['team', 'number']],
  constraints: [
    new CheckConstraint({ condition: Q({ price__gte: 0 }), name: 'price_gte_0' }),
    new UniqueConstraint({ fields: ['team', 'nick'], name: 'uniq_team_nick' }),
  ],
}) {}

/** Runs fullClean and returns its messageDict; fails the test if it passes. */
async function errorsOf(obj: Member): Promise<Record<string, string[]>> {
  try {
    await obj.fullClean();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.messageDict;
  }
  assert.fail('fullClean() should have failed');
}

before(async () => {
  await createTables([Member]);
  await Member.objects.create({ email: 'a@x.io', nick: 'al', team: 'red', number: 1 });
});

after(async () => {
  await connections.closeAll();
});

// Every expected message below was produced by Django 5.2 on the same model and data.
describe('fullClean()', () => {
  test('reports every invalid field at once with Django\'s messages', async () => {
    const m = new Member({ email: 'a@x.io', nick: 'toolongnick', team: 'red', number: 0, role: 'z', price: new Decimal('123.456') });
    assert.deepEqual(await errorsOf(m), {
      nick: ['Ensure this value has at most 5 characters (it has 11).'],
      number: ['Ensure this value is greater than or equal to 1.'],
      role: ["Value 'z' is not a valid choice."],
      price: ['Ensure that there are no more than 4 digits in total.'],
      email: ['Member with this Email already exists.'],
    });
  });

  test('uniqueTogether and a UniqueConstraint report under __all__', async () => {
    const m = new Member({ email: 'b@x.io', nick: 'al', team: 'red', number: 1 });
    assert.deepEqual(await errorsOf(m), {
      __all__: ['Member with this Team and Number already exists.', 'Member with this Team and Nick already exists.'],
    });
  });

  test('a CheckConstraint is validated in JavaScript', async () => {
    const m = new Member({ email: 'c@x.io', nick: 'bo', team: 'blue', number: 2, price: new Decimal('-1') });
    assert.deepEqual(await errorsOf(m), { __all__: ['Constraint “price_gte_0” is violated.'] });
  });

  test('blank and null are refused unless allowed', async () => {
    const m = new Member({ email: '', nick: '', team: '', number: null as unknown as number });
    assert.deepEqual(await errorsOf(m), {
      email: ['This field cannot be blank.'],
      team: ['This field cannot be blank.'],
      number: ['This field cannot be null.'],
    });
  });

  test('an instance does not clash with itself on unique checks', async () => {
    const existing = await Member.objects.get({ email: 'a@x.io' });
    await existing.fullClean();
  });

  test('exclude skips the named fields', async () => {
    const m = new Member({ email: 'd@x.io', nick: 'toolongnick', team: 'green', number: 3 });
    await m.fullClean({ exclude: ['nick'] });
  });

  test('getDisplay shows the choice label', () => {
    assert.equal(new Member({ role: 'a' }).getDisplay('role'), 'Admin');
  });
});

describe('the database enforces constraints too', () => {
  test('a unique violation on save raises IntegrityError', async () => {
    await assert.rejects(async () => Member.objects.create({ email: 'a@x.io', team: 'x', number: 5 }), IntegrityError);
  });

  test('a CheckConstraint violation on save raises IntegrityError', async () => {
    await assert.rejects(async () => Member.objects.create({ email: 'z@x.io', team: 'x', number: 6, price: new Decimal('-5') }), IntegrityError);
  });

  test('uniqueTogether is enforced by the database', async () => {
    await assert.rejects(async () => Member.objects.create({ email: 'y@x.io', team: 'red', number: 1, nick: 'zz' }), IntegrityError);
  });
});

describe('wrong value types', () => {
  test('create with a wrong type is refused before SQL runs and names the field', async () => {
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => Member.objects.create({ email: 'w@x.io', team: 't', number: 'many' as unknown as number }), /number/);
    });
    assert.equal(queries.filter((q) => q.sql.startsWith('INSERT')).length, 0);
  });

  test('a field cleans the value it is given on fullClean', async () => {
    const m = new Member({ email: 'v@x.io', team: 't', number: '7' as unknown as number });
    await m.fullClean();
    assert.equal(m.number, 7);
  });
});

describe('text fields refuse values whose string form is meaningless', () => {
  test('an array or plain object in a CharField filter is refused before SQL runs', async () => {
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => Member.objects.filter({ team: ['red'] }), /Member\.team[\s\S]*array[\s\S]*__in/);
      await assert.rejects(async () => Member.objects.filter({ team__contains: { a: 1 } }), /Member\.team[\s\S]*plain object/);
    });
    assert.equal(queries.length, 0);
  });

  test('an array assigned to a CharField is refused on save', async () => {
    await assert.rejects(async () => Member.objects.create({ email: 'arr@x.io', team: ['a', 'b'] as unknown as string, number: 9 }), /string/);
    assert.equal(await Member.objects.filter({ email: 'arr@x.io' }).count(), 0);
  });

  test('numbers are still accepted and stored as their text', async () => {
    const m = await Member.objects.create({ email: 'num@x.io', team: 42 as unknown as string, number: 10 });
    assert.equal((await Member.objects.get({ pk: m.pk })).team, '42');
  });
});

describe('conditional UniqueConstraint in fullClean()', () => {
  class Ticket extends Model<Ticket>()({
    who: new CharField({ maxLength: 9 }),
    status: new CharField({ maxLength: 9 }),
  }, {
    appLabel: 'val',
    constraints: [
      new UniqueConstraint({ fields: ['who'], name: 'one_open', condition: Q({ status: 'open' }) }),
      new UniqueConstraint({ fields: ['status'], name: 'one_vip', condition: Q({ who: 'vip' }), violationErrorMessage: 'One VIP row per status.' }),
    ],
  }) {}

  before(async () => {
    await createTables([Ticket]);
    await Ticket.objects.create({ who: 'a', status: 'open' });
    await Ticket.objects.create({ who: 'a', status: 'closed' });
    await Ticket.objects.create({ who: 'vip', status: 'x' });
  });

  // Each expectation was produced by Django 5.2 on the same rows.
  test('a row outside the condition is not checked', async () => {
    await new Ticket({ who: 'a', status: 'closed' }).fullClean();
    await new Ticket({ who: 'vip', status: 'y' }).fullClean();
  });

  test('a row inside the condition that clashes is reported by constraint name', async () => {
    await assert.rejects(async () => new Ticket({ who: 'a', status: 'open' }).fullClean(), (err: ValidationError) => {
      assert.deepEqual(err.messageDict, { __all__: ['Constraint “one_open” is violated.'] });
      return true;
    });
  });

  test('violationErrorMessage replaces the default message', async () => {
    await assert.rejects(async () => new Ticket({ who: 'vip', status: 'x' }).fullClean(), (err: ValidationError) => {
      assert.deepEqual(err.messageDict, { __all__: ['One VIP row per status.'] });
      return true;
    });
  });

  test('the saved row does not clash with itself', async () => {
    const open = await Ticket.objects.get({ who: 'a', status: 'open' });
    await open.fullClean();
  });
});
