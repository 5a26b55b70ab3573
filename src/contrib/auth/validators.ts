/**
 * The username validators of `AbstractUser` (Django's auth validators), with Django's
 * messages. `\w` in Django's patterns is Python's Unicode word character: a letter, a
 * number or `_` (combining marks are not).
 */
import { regexValidator, type Validator } from '../../core/validators.ts';

/** Letters and digits of any script, and `@ . + - _` (the default for `User.username`). */
export const unicodeUsernameValidator: Validator = regexValidator(/^[\p{L}\p{N}_.@+-]+$/u, {
  message: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
  code: 'invalid',
});

/** ASCII letters and digits only, and `@ . + - _`. */
export const asciiUsernameValidator: Validator = regexValidator(/^[A-Za-z0-9_.@+-]+$/, {
  message:
    'Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, ' +
    'numbers, and @/./+/-/_ characters.',
  code: 'invalid',
});
