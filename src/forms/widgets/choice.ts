/**
 * Choice widgets: Select, NullBooleanSelect, SelectMultiple, RadioSelect,
 * CheckboxSelectMultiple.
 *
 * choices → normalizeChoices() → optgroups() (one group per top-level choice,
 * named groups keep their options) → createOption() per option → template.
 */
import { dictEntries, isDict, pyStr } from '../../template/python.ts';
import { dataGet, dataGetList, Widget, type WidgetAttrs, type WidgetContext, type WidgetData } from './base.ts';

/** One choice: `[value, label]`, or `[groupName, [[value, label], …]]` for an optgroup. */
export type Choice = readonly [unknown, unknown];

/**
 * What `choices` accepts, as Django's normalize_choices: pairs (with nested
 * groups), a Map or plain object `{ value: label }` (a nested object is a
 * group), any iterable of pairs (read on each render, so lazy iterables
 * stay lazy), or a function returning one of these.
 */
export type ChoicesInput = Iterable<Choice> | Map<unknown, unknown> | Readonly<Record<string, unknown>> | (() => ChoicesInput);

/** Flattens the accepted forms of choices into `[value, label | Choice[]]` pairs. */
export function normalizeChoices(input: ChoicesInput | null | undefined): Choice[] {
  if (input === null || input === undefined) return [];
  if (typeof input === 'function') return normalizeChoices(input());
  if (isDict(input)) {
    return dictEntries(input as Map<unknown, unknown>).map(([value, label]) => [value, isGroup(label) ? normalizeChoices(label as ChoicesInput) : label] as const);
  }
  const out: Choice[] = [];
  for (const item of input as Iterable<unknown>) {
    const [value, label] = item as [unknown, unknown];
    out.push([value, isGroup(label) ? normalizeChoices(label as ChoicesInput) : label]);
  }
  return out;
}

function isGroup(label: unknown): boolean {
  return Array.isArray(label) || label instanceof Map || (isDict(label) && !(label instanceof Map));
}

/** The context of one option (`<option>` or one radio/checkbox input). */
export interface OptionContext extends WidgetContext {
  label: unknown;
  selected: boolean;
  index: string;
  wrap_label: boolean;
}

/** `[groupName | null, options, index]`, as the templates unpack it. */
export type OptGroup = [unknown, OptionContext[], number];

/** Base of widgets that offer a list of choices. */
export class ChoiceWidget extends Widget {
  allowMultipleSelected = false;
  inputType: string | null = null;
  optionTemplateName = '';
  addIdIndex = true;
  checkedAttribute: WidgetAttrs = { checked: true };
  optionInheritsAttrs = true;
  #choices: ChoicesInput = [];

  constructor(attrs?: WidgetAttrs | null, choices: ChoicesInput = []) {
    super(attrs);
    this.#choices = choices;
  }

  /** The choices, normalised to pairs on each read (a lazy iterable is read again). */
  get choices(): Choice[] {
    return normalizeChoices(this.#choices);
  }

  set choices(value: ChoicesInput) {
    this.#choices = value;
  }

  override clone(): this {
    const copy = super.clone();
    copy.choices = Array.isArray(this.#choices) ? [...(this.#choices as Choice[])] : this.#choices;
    return copy;
  }

  /** Every option as a flat list (BoundField.subwidgets iterates these). */
  override subwidgets(name: string, value: unknown, attrs?: WidgetAttrs | null): OptionContext[] {
    return this.options(name, this.formatValue(value) as string[], attrs);
  }

  options(name: string, value: string[], attrs?: WidgetAttrs | null): OptionContext[] {
    return this.optgroups(name, value, attrs).flatMap((group) => group[1]);
  }

  optgroups(name: string, value: string[], attrs?: WidgetAttrs | null): OptGroup[] {
    const groups: OptGroup[] = [];
    let hasSelected = false;
    this.choices.forEach(([rawValue, label], index) => {
      const optionValue = rawValue === null || rawValue === undefined ? '' : rawValue;
      const subgroup: OptionContext[] = [];
      let groupName: unknown = null;
      let subindex: number | null = null;
      let choices: Choice[];
      if (Array.isArray(label)) {
        groupName = optionValue;
        subindex = 0;
        choices = label as Choice[];
      } else {
        choices = [[optionValue, label]];
      }
      groups.push([groupName, subgroup, index]);
      for (const [subvalue, sublabel] of choices) {
        // A single select marks only the first match, as a browser would.
        const selected = (!hasSelected || this.allowMultipleSelected) && value.includes(pyStr(subvalue));
        hasSelected ||= selected;
        subgroup.push(this.createOption(name, subvalue, sublabel, selected, index, subindex, attrs));
        if (subindex !== null) subindex += 1;
      }
    });
    return groups;
  }

  createOption(
    name: string,
    value: unknown,
    label: unknown,
    selected: boolean,
    index: number,
    subindex: number | null = null,
    attrs?: WidgetAttrs | null,
  ): OptionContext {
    const indexText = subindex === null ? String(index) : `${index}_${subindex}`;
    const optionAttrs = this.optionInheritsAttrs ? this.buildAttrs(this.attrs, attrs) : {};
    if (selected) Object.assign(optionAttrs, this.checkedAttribute);
    if ('id' in optionAttrs) optionAttrs.id = this.idForLabel(optionAttrs.id as string, indexText);
    return {
      name,
      value,
      label,
      selected,
      index: indexText,
      attrs: optionAttrs,
      type: this.inputType,
      template_name: this.optionTemplateName,
      wrap_label: true,
      is_hidden: false,
      required: false,
    };
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    context.widget.optgroups = this.optgroups(name, context.widget.value as string[], attrs);
    return context;
  }

  /** Options get `<id>_<index>`; the widget as a whole points at option 0. */
  override idForLabel(id: string, index: string | null = '0'): string {
    if (id && this.addIdIndex) return `${id}_${index}`;
    return id;
  }

  override valueFromDatadict(data: WidgetData, _files: WidgetData | null | undefined, name: string): unknown {
    return this.allowMultipleSelected ? dataGetList(data, name) : dataGet(data, name);
  }

  /** The selected values as strings (null becomes ''). */
  override formatValue(value: unknown): unknown {
    if ((value === null || value === undefined) && this.allowMultipleSelected) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => (v === null || v === undefined ? '' : pyStr(v)));
  }
}

/** `<select>`; `required` is only printed when the first option is empty (valid HTML). */
export class Select extends ChoiceWidget {
  override inputType: string | null = 'select';
  override templateName = 'django/forms/widgets/select.html';
  override optionTemplateName = 'django/forms/widgets/select_option.html';
  override addIdIndex = false;
  override checkedAttribute: WidgetAttrs = { selected: true };
  override optionInheritsAttrs = false;

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    if (this.allowMultipleSelected) context.widget.attrs.multiple = true;
    return context;
  }

  override useRequiredAttribute(initial: unknown): boolean {
    const use = super.useRequiredAttribute(initial);
    if (this.allowMultipleSelected) return use;
    const first = this.choices[0];
    return use && first !== undefined && (first[0] === null || first[0] === undefined || first[0] === '');
  }
}

const NULL_BOOLEAN_FORMAT = new Map<unknown, string>([
  [true, 'true'],
  [false, 'false'],
  ['true', 'true'],
  ['false', 'false'],
  ['2', 'true'],
  ['3', 'false'],
]);
const NULL_BOOLEAN_VALUE = new Map<unknown, boolean>([
  [true, true],
  ['True', true],
  ['False', false],
  [false, false],
  ['true', true],
  ['false', false],
  ['2', true],
  ['3', false],
]);

/** Unknown / Yes / No select for NullBooleanField. */
export class NullBooleanSelect extends Select {
  constructor(attrs?: WidgetAttrs | null) {
    super(attrs, [
      ['unknown', 'Unknown'],
      ['true', 'Yes'],
      ['false', 'No'],
    ]);
  }

  override formatValue(value: unknown): unknown {
    return NULL_BOOLEAN_FORMAT.get(value) ?? 'unknown';
  }

  /** true, false, or null for anything else (including a missing key). */
  override valueFromDatadict(data: WidgetData, _files: WidgetData | null | undefined, name: string): unknown {
    return NULL_BOOLEAN_VALUE.get(dataGet(data, name)) ?? null;
  }
}

/** `<select multiple>`; never "omitted", since an empty selection posts nothing. */
export class SelectMultiple extends Select {
  override allowMultipleSelected = true;

  override valueOmittedFromData(): boolean {
    return false;
  }
}

/** Radio buttons in `<div>`s, rendered inside a `<fieldset>` by the field template. */
export class RadioSelect extends ChoiceWidget {
  override inputType: string | null = 'radio';
  override templateName = 'django/forms/widgets/radio.html';
  override optionTemplateName = 'django/forms/widgets/radio_option.html';
  override useFieldset = true;

  /** No `for` on the group's label: it would point at the first radio only. */
  override idForLabel(id: string, index: string | null = null): string {
    if (index === null) return '';
    return super.idForLabel(id, index);
  }
}

/** Checkboxes, one per choice; never prints `required` (browsers would demand every box). */
export class CheckboxSelectMultiple extends RadioSelect {
  override allowMultipleSelected = true;
  override inputType: string | null = 'checkbox';
  override templateName = 'django/forms/widgets/checkbox_select.html';
  override optionTemplateName = 'django/forms/widgets/checkbox_option.html';

  override useRequiredAttribute(): boolean {
    return false;
  }

  override valueOmittedFromData(): boolean {
    return false;
  }
}
