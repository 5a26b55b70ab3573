/** Message levels, as Django's django.contrib.messages.constants. */
export const DEBUG = 10;
export const INFO = 20;
export const SUCCESS = 25;
export const WARNING = 30;
export const ERROR = 40;

/** The levels by name, for templates (`DEFAULT_MESSAGE_LEVELS.ERROR`). */
export const DEFAULT_LEVELS: Readonly<Record<string, number>> = Object.freeze({ DEBUG, INFO, SUCCESS, WARNING, ERROR });

/** The CSS-friendly tag of each level; MESSAGE_TAGS adds to or overrides it. */
export const DEFAULT_TAGS: Readonly<Record<number, string>> = Object.freeze({ [DEBUG]: 'debug', [INFO]: 'info', [SUCCESS]: 'success', [WARNING]: 'warning', [ERROR]: 'error' });
