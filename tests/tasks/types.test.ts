// What the task API's types accept and refuse (checked by `tsc -p .`), and that they run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { task, type TaskContext, type TaskResult } from '../../src/tasks/index.ts';

export const greet = task(async function greet(name: string, times: number) {
  return `hello ${name}`.repeat(times);
});

export const contextual = task(async function contextual(context: TaskContext, id: number) {
  return { id, attempt: context.attempt };
}, { takesContext: true });

test('enqueue() takes the arguments after the context, and results carry the return type', () => {
  const typed = (async () => {
    const result: TaskResult<string> = await greet.enqueue('ada', 2);
    const value: string = result.returnValue;
    // @ts-expect-error: the arguments are checked against the function's
    await greet.enqueue('ada', 'twice');
    // @ts-expect-error: a missing argument is refused
    await greet.enqueue('ada');
    const withContext = await contextual.enqueue(42);
    const id: number = withContext.returnValue.id;
    // @ts-expect-error: the context is not passed to enqueue()
    await contextual.enqueue({} as TaskContext, 42);
    // @ts-expect-error: uniqueKey gets the task's arguments
    task(async function keyed(userId: number) { return userId; }, { uniqueKey: (userId: string) => userId });
    return [value, id];
  });
  assert.equal(typeof typed, 'function');
});

test('call() takes what the function takes, context included', async () => {
  assert.equal(await greet.call('ada', 1), 'hello ada');
  const context = { attempt: 1 } as TaskContext;
  assert.deepEqual(await contextual.call(context, 7), { id: 7, attempt: 1 });
});
