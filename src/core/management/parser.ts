/**
 * The argument parser of a command: commander's Command, reporting usage errors the
 * way Django's CommandParser (argparse) does.
 *
 * From the command line a usage error prints the usage line and
 * `manage.ts <command>: error: <reason>` on stderr and exits with code 2; from
 * callCommand() it throws `CommandError('Error: <reason>')` instead. Reasons use
 * argparse's words (`argument -v/--verbosity: invalid choice: 7 (choose from 0, 1, 2, 3)`,
 * `the following arguments are required: name`), so a Django user reads what they know.
 */
import { Command, type Option, type ParseOptions } from 'commander';
import { CommandError } from './errors.ts';

type ErrorOptions = Parameters<Command['error']>[1];

/** Exit code of a usage error, as argparse's. */
export const USAGE_ERROR_EXIT_CODE = 2;

export class CommandParser extends Command {
  /** True when parsing a real command line; false under callCommand(). */
  calledFromCommandLine = false;
  /** Said instead of argparse's "required" message when no argument at all is given (LabelCommand). */
  missingArgsMessage: string | undefined = undefined;

  override error(message: string, errorOptions?: ErrorOptions): never {
    const reason = argparseReason(this, message, errorOptions?.code);
    if (!this.calledFromCommandLine) throw new CommandError(`Error: ${reason}`);
    return super.error(`usage: ${this.name()} ${this.usage()}\n${this.name()}: error: ${reason}`, {
      ...errorOptions,
      exitCode: USAGE_ERROR_EXIT_CODE,
    });
  }

  override async parseAsync(argv?: readonly string[], parseOptions?: ParseOptions): Promise<this> {
    if (this.missingArgsMessage !== undefined && parseOptions?.from === 'user' && argv?.length === 0) {
      this.error(this.missingArgsMessage, { code: 'nuages.missingArgs' });
    }
    return super.parseAsync(argv, parseOptions);
  }
}

/** Commander's error message in argparse's words; anything not recognised keeps commander's. */
function argparseReason(parser: Command, message: string, code: string | undefined): string {
  const plain = message.replace(/^error: /, '');
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'commander.missingArgument':
      return `the following arguments are required: ${quoted}`;
    case 'commander.missingMandatoryOptionValue':
      return `the following arguments are required: ${optionName(parser, quoted)}`;
    case 'commander.optionMissingArgument':
      return `argument ${optionName(parser, quoted)}: expected one argument`;
    case 'commander.unknownOption':
      return `unrecognized arguments: ${plain.replace(/^unknown option '([^']*)'/, '$1')}`;
    case 'commander.excessArguments':
      return `unrecognized arguments: ${parser.args.slice(parser.registeredArguments.length).join(' ')}`;
    case 'commander.invalidArgument':
      return invalidValueReason(parser, plain);
    default:
      return plain;
  }
}

/** An option as argparse names it in errors: its flags joined by `/` (`-v/--verbosity`). */
function optionName(parser: Command, flags: string): string {
  const option = parser.options.find((candidate) => candidate.flags === flags);
  return option ? [option.short, option.long].filter(Boolean).join('/') : flags;
}

const INVALID_OPTION = /^option '([^']*)' argument '([^']*)' is invalid\. ?([\s\S]*)$/;
const INVALID_ARGUMENT = /^command-argument value '([^']*)' is invalid for argument '([^']*)'\. ?([\s\S]*)$/;

/** `argument <name>: invalid choice: …`, or the reason a command's own value parser gave. */
function invalidValueReason(parser: Command, plain: string): string {
  const option = INVALID_OPTION.exec(plain);
  if (option) {
    const [, flags = '', value = '', detail = ''] = option;
    const choices = parser.options.find((candidate) => candidate.flags === flags) as (Option & { argChoices?: string[] }) | undefined;
    return `argument ${optionName(parser, flags)}: ${choiceReason(value, choices?.argChoices) ?? detail}`;
  }
  const argument = INVALID_ARGUMENT.exec(plain);
  if (argument) {
    const [, value = '', name = '', detail = ''] = argument;
    const choices = parser.registeredArguments.find((candidate) => candidate.name() === name)?.argChoices;
    return `argument ${name}: ${choiceReason(value, choices) ?? detail}`;
  }
  return plain;
}

/**
 * argparse's words for a value outside `choices`. Numeric choices (verbosity) print bare,
 * as argparse prints ints; a non-number given for them is an "invalid int value".
 */
function choiceReason(value: string, choices: readonly string[] | undefined): string | undefined {
  if (!choices?.length) return undefined;
  const numeric = choices.every((choice) => /^-?\d+$/.test(choice));
  if (numeric && !/^-?\d+$/.test(value)) return `invalid int value: '${value}'`;
  const show = (text: string) => (numeric ? text : `'${text}'`);
  return `invalid choice: ${show(value)} (choose from ${choices.map(show).join(', ')})`;
}
