/**
 * Colours for command output, as Django's `color.py` and `termcolors.py` give them.
 *
 * NUAGES_COLORS (Django's DJANGO_COLORS) → a palette of roles → a Style whose
 * functions wrap text in the same escape sequences Django writes (`\x1b[31;1m…\x1b[0m`).
 *
 * The setting is a `;`-separated list: a palette name (`dark`, the default; `light`;
 * `nocolor`), and/or `role=fg/bg,option,…` entries that change one role:
 *
 * ```sh
 * NUAGES_COLORS="light;error=yellow/blue,blink;notice=magenta" node manage.ts migrate
 * NUAGES_COLORS=nocolor node manage.ts migrate   # no colour at all
 * ```
 */

/** Django's palette roles, each a function that colours text (or leaves it as is). */
export interface Style {
  ERROR: StyleFunction;
  SUCCESS: StyleFunction;
  WARNING: StyleFunction;
  NOTICE: StyleFunction;
  SQL_FIELD: StyleFunction;
  SQL_COLTYPE: StyleFunction;
  SQL_KEYWORD: StyleFunction;
  SQL_TABLE: StyleFunction;
  HTTP_INFO: StyleFunction;
  HTTP_SUCCESS: StyleFunction;
  HTTP_REDIRECT: StyleFunction;
  HTTP_NOT_MODIFIED: StyleFunction;
  HTTP_BAD_REQUEST: StyleFunction;
  HTTP_NOT_FOUND: StyleFunction;
  HTTP_SERVER_ERROR: StyleFunction;
  MIGRATE_HEADING: StyleFunction;
  MIGRATE_LABEL: StyleFunction;
}

export type StyleFunction = (text: string) => string;
export type StyleRole = keyof Style;

const COLOR_NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;
type ColorName = (typeof COLOR_NAMES)[number];
const OPTION_CODES: Readonly<Record<string, string>> = { bold: '1', underscore: '4', blink: '5', reverse: '7', conceal: '8' };

/** How one role is drawn: foreground, background and display options (bold, blink…). */
interface RoleFormat {
  readonly fg?: ColorName;
  readonly bg?: ColorName;
  readonly opts?: readonly string[];
}

type Palette = Readonly<Record<StyleRole, RoleFormat>>;

const BOLD = ['bold'];
const ROLES: readonly StyleRole[] = [
  'ERROR', 'SUCCESS', 'WARNING', 'NOTICE', 'SQL_FIELD', 'SQL_COLTYPE', 'SQL_KEYWORD', 'SQL_TABLE',
  'HTTP_INFO', 'HTTP_SUCCESS', 'HTTP_REDIRECT', 'HTTP_NOT_MODIFIED', 'HTTP_BAD_REQUEST',
  'HTTP_NOT_FOUND', 'HTTP_SERVER_ERROR', 'MIGRATE_HEADING', 'MIGRATE_LABEL',
];

const NOCOLOR_PALETTE = Object.fromEntries(ROLES.map((role) => [role, {}])) as Palette;

/** For terminals with a dark background: Django's default. */
const DARK_PALETTE: Palette = {
  ERROR: { fg: 'red', opts: BOLD },
  SUCCESS: { fg: 'green', opts: BOLD },
  WARNING: { fg: 'yellow', opts: BOLD },
  NOTICE: { fg: 'red' },
  SQL_FIELD: { fg: 'green', opts: BOLD },
  SQL_COLTYPE: { fg: 'green' },
  SQL_KEYWORD: { fg: 'yellow' },
  SQL_TABLE: { opts: BOLD },
  HTTP_INFO: { opts: BOLD },
  HTTP_SUCCESS: {},
  HTTP_REDIRECT: { fg: 'green' },
  HTTP_NOT_MODIFIED: { fg: 'cyan' },
  HTTP_BAD_REQUEST: { fg: 'red', opts: BOLD },
  HTTP_NOT_FOUND: { fg: 'yellow' },
  HTTP_SERVER_ERROR: { fg: 'magenta', opts: BOLD },
  MIGRATE_HEADING: { fg: 'cyan', opts: BOLD },
  MIGRATE_LABEL: { opts: BOLD },
};

/** For terminals with a light background: other keyword, redirect and 404 colours. */
const LIGHT_PALETTE: Palette = {
  ...DARK_PALETTE,
  SQL_KEYWORD: { fg: 'blue' },
  HTTP_REDIRECT: { fg: 'green', opts: BOLD },
  HTTP_NOT_MODIFIED: { fg: 'green' },
  HTTP_NOT_FOUND: { fg: 'red' },
};

const PALETTES: Readonly<Record<string, Palette>> = { nocolor: NOCOLOR_PALETTE, dark: DARK_PALETTE, light: LIGHT_PALETTE };

/**
 * The palette a NUAGES_COLORS value describes, or undefined when it colours nothing
 * (`nocolor`, or only names Django would not recognise: unknown palettes, roles,
 * colours and options are ignored rather than refused, as Django does).
 */
export function parseColorSetting(setting: string): Palette | undefined {
  if (setting === '') return DARK_PALETTE;
  // Entries build on "no colour": naming a palette fills every role, `role=…` one role.
  const palette: Record<StyleRole, RoleFormat> = { ...NOCOLOR_PALETTE };
  for (const part of setting.toLowerCase().split(';')) {
    const named = Object.hasOwn(PALETTES, part) ? PALETTES[part] : undefined;
    if (named) Object.assign(palette, named);
    else if (part.includes('=')) setRole(palette, part);
  }
  return ROLES.some((role) => palette[role] !== NOCOLOR_PALETTE[role]) ? palette : undefined;
}

/** Applies one `role=fg/bg,option,…` entry; an unknown role or an entry with nothing valid is ignored. */
function setRole(palette: Record<StyleRole, RoleFormat>, entry: string): void {
  const [roleName = '', instructions = ''] = entry.split('=');
  const role = roleName.toUpperCase() as StyleRole;
  if (!ROLES.includes(role)) return;
  const [colors = '', ...options] = instructions.split(',');
  const [fg, bg] = colors.split('/');
  const format: { fg?: ColorName; bg?: ColorName; opts?: string[] } = {};
  if (isColor(fg)) format.fg = fg;
  if (isColor(bg)) format.bg = bg;
  // Django keeps the options in reverse order of writing; the codes it prints follow that order.
  const opts = options.filter((option) => Object.hasOwn(OPTION_CODES, option)).reverse();
  if (opts.length) format.opts = opts;
  if (Object.keys(format).length) palette[role] = format;
}

function isColor(name: string | undefined): name is ColorName {
  return (COLOR_NAMES as readonly string[]).includes(name ?? '');
}

/** Wraps text in the escape sequence for `format`, then a reset: Django's colorize(). */
function colorize(format: RoleFormat): StyleFunction {
  const codes: string[] = [];
  if (format.fg) codes.push(String(30 + COLOR_NAMES.indexOf(format.fg)));
  if (format.bg) codes.push(String(40 + COLOR_NAMES.indexOf(format.bg)));
  for (const option of format.opts ?? []) codes.push(OPTION_CODES[option]!);
  const start = `\x1b[${codes.join(';')}m`;
  return (text) => `${start}${text}\x1b[0m`;
}

const identity: StyleFunction = (text) => text;

/**
 * A Style that colours when `color` is true and is the identity otherwise. The colours
 * come from `setting` (NUAGES_COLORS by default); `nocolor` turns them off even when forced.
 */
export function makeStyle(color: boolean, setting: string = process.env['NUAGES_COLORS'] ?? ''): Style {
  const palette = color ? parseColorSetting(setting) : undefined;
  const style = {} as Style;
  for (const role of ROLES) style[role] = palette ? colorize(palette[role]) : identity;
  return style;
}

/** Where output may be coloured: anything with `write` and, for terminals, `isTTY`. */
export interface ColorTarget {
  isTTY?: boolean;
}

/**
 * Whether a stream should get colours: a TTY, as Django decides. NO_COLOR (set to
 * anything) turns colour off and FORCE_COLOR (other than `0`) on, the conventions of
 * Node tools; `--no-color`, `--force-color` and NUAGES_COLORS=nocolor do the same per command.
 */
export function supportsColor(stream: ColorTarget): boolean {
  if (process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && process.env['NO_COLOR'] === undefined;
}
