/** The errors a management command reports to the user. */
import { NuagesError } from '../errors.ts';

/** A failure a command reports to the user: printed without a stack, exit code `returncode`. */
export class CommandError extends NuagesError {
  readonly code: string = 'NUAGES_COMMAND_ERROR';
  readonly returncode: number;
  constructor(message: string, options: ErrorOptions & { returncode?: number } = {}) {
    super(message, options);
    this.returncode = options.returncode ?? 1;
  }
}

/** System checks found problems at or above the fail level. */
export class SystemCheckError extends CommandError {
  override readonly code = 'NUAGES_SYSTEM_CHECK';
}
