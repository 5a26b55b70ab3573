/**
 * The questions makemigrations asks: was this a rename, and what should
 * existing rows hold in a new NOT NULL column. The non-interactive
 * questioner (`--noinput`, CI) assumes "not a rename", refuses to guess
 * a default, and merges branches when `--merge` asked for it.
 */
import { createInterface } from 'node:readline/promises';
import { NuagesError } from '../../core/errors.ts';
import { Decimal } from '../../utils/decimal.ts';
import { DateOnly } from '../../utils/dates.ts';
import type { Field } from '../models/fields/field.ts';
import type { ModelState } from './state.ts';

/** makemigrations cannot go on without an answer it was not allowed to ask. */
export class QuestionerAbortError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_NEEDS_ANSWER';
}

/** Answers makemigrations needs; override what you want to script. */
export class MigrationQuestioner {
  async askRenameModel(_from: ModelState, _to: ModelState): Promise<boolean> {
    return false;
  }

  async askRenameField(_model: ModelState, _oldName: string, _newName: string, _field: Field): Promise<boolean> {
    return false;
  }

  /** The value existing rows get for a new NOT NULL field without a default. */
  async askNotNullAddition(model: ModelState, name: string): Promise<unknown> {
    throw new QuestionerAbortError(
      `It is impossible to add a non-nullable field '${name}' to ${model.name} without specifying a default: the database ` +
        `needs something to put in existing rows. Give the field a default, make it null: true, or run makemigrations ` +
        `interactively to provide a one-off default.`,
    );
  }

  /** The value existing NULLs get when a field becomes NOT NULL; undefined leaves them (the migration may fail). */
  async askNotNullAlteration(_model: ModelState, _name: string): Promise<unknown> {
    return undefined;
  }

  /** Whether `makemigrations --merge` should write the merge migration; without a terminal it does. */
  async askMerge(_appLabel: string): Promise<boolean> {
    return true;
  }
}

/** Asks on the terminal. */
export class InteractiveMigrationQuestioner extends MigrationQuestioner {
  readonly #input: NodeJS.ReadableStream;
  readonly #output: NodeJS.WritableStream;

  constructor(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout) {
    super();
    this.#input = input;
    this.#output = output;
  }

  async #ask(question: string): Promise<string> {
    const rl = createInterface({ input: this.#input, output: this.#output, terminal: false });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  }

  async #yes(question: string): Promise<boolean> {
    const answer = (await this.#ask(`${question} [y/N] `)).toLowerCase();
    return answer === 'y' || answer === 'yes';
  }

  override async askRenameModel(from: ModelState, to: ModelState): Promise<boolean> {
    return this.#yes(`Was the model ${from.appLabel}.${from.name} renamed to ${to.name}?`);
  }

  override async askRenameField(model: ModelState, oldName: string, newName: string, field: Field): Promise<boolean> {
    return this.#yes(`Was ${model.name}.${oldName} renamed to ${model.name}.${newName} (a ${field.constructor.name})?`);
  }

  override async askNotNullAddition(model: ModelState, name: string): Promise<unknown> {
    this.#output.write(
      `It is impossible to add a non-nullable field '${name}' to ${model.name.toLowerCase()} without specifying a default. ` +
        'This is because the database needs something to populate existing rows.\n' +
        'Please select a fix:\n 1) Provide a one-off default now (will be set on all existing rows)\n 2) Quit and manually define a default value in models.ts.\n',
    );
    return this.#oneOff(name, model);
  }

  override async askNotNullAlteration(model: ModelState, name: string): Promise<unknown> {
    this.#output.write(
      `It is impossible to change a nullable field '${name}' on ${model.name.toLowerCase()} to non-nullable without providing a default.\n` +
        'Please select a fix:\n 1) Provide a one-off default now (will be set on all existing rows with a null value for this column)\n 2) Quit and manually define a default value in models.ts.\n',
    );
    return this.#oneOff(name, model);
  }

  override async askMerge(_appLabel: string): Promise<boolean> {
    this.#output.write(
      '\nMerging only works when the operations listed above do not conflict\n' +
        '(they touch different fields or models).\n',
    );
    return this.#yes('Should these migration branches be merged?');
  }

  async #oneOff(name: string, model: ModelState): Promise<unknown> {
    const choice = await this.#ask('Select an option: ');
    if (choice !== '1') throw new QuestionerAbortError(`makemigrations stopped: define a default for ${model.name}.${name} in models.ts.`);
    const text = await this.#ask("Please enter the default value as valid TypeScript (e.g. 0, 'text', new Decimal('0.00'), DateOnly.fromISO('2025-01-01')):\n>>> ");
    try {
      return new Function('Decimal', 'DateOnly', `return (${text});`)(Decimal, DateOnly);
    } catch (error) {
      throw new QuestionerAbortError(`'${text}' is not a value: ${(error as Error).message}`);
    }
  }
}
