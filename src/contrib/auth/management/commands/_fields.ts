/** Helpers shared by the auth commands (a leading `_` keeps this file out of the command list). */
import { toSnakeCase, type Field } from '../../../../db/models/fields/field.ts';

/** A field's verbose name, as Django derives it when none is given. */
export function verboseName(field: Field): string {
  return field.options.verboseName ?? toSnakeCase(field.name).replaceAll('_', ' ');
}

/** Django's capfirst. */
export function capfirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The command-line option of a user field: `username` → `--username`, `dateOfBirth` → `--date-of-birth`. */
export function fieldOption(name: string): string {
  return `--${toSnakeCase(name).replaceAll('_', '-')}`;
}

/**
 * The value of DJANGO_SUPERUSER_<FIELD> (the field in upper snake case), or of
 * NUAGES_SUPERUSER_<FIELD>; undefined when neither is set.
 */
export function superuserEnv(name: string): string | undefined {
  const suffix = toSnakeCase(name).toUpperCase();
  return process.env[`DJANGO_SUPERUSER_${suffix}`] ?? process.env[`NUAGES_SUPERUSER_${suffix}`];
}
