/**
 * BoundField: a form's field together with its data, initial value and errors
 * (Django's `form['name']`), and BoundWidget, one choice of a RadioSelect or
 * CheckboxSelectMultiple. Both render through the form's renderer.
 */
import type { SafeString } from '../utils/safestring.ts';
import { escapeHtml, markSafe, SafeString as Safe } from '../utils/safestring.ts';
import { ValidationError } from '../core/exceptions.ts';
import type { DataDict, ErrorList, RendererLike } from './utils.ts';
import { prettyName } from './utils.ts';

/** What a form needs from a widget (src/forms/widgets.ts provides them). */
export interface WidgetLike {
  attrs: Record<string, unknown>;
  readonly isHidden: boolean;
  readonly needsMultipartForm?: boolean;
  readonly supportsMicroseconds?: boolean;
  readonly useFieldset?: boolean;
  isLocalized?: boolean;
  templateName?: string;
  widgets?: WidgetLike[];
  readonly media?: unknown;
  render(name: string, value: unknown, attrs?: Record<string, unknown> | null, renderer?: unknown): Promise<SafeString>;
  valueFromDatadict(data: DataDict, files: DataDict, name: string): unknown;
  idForLabel(id: string): string | null | undefined;
  useRequiredAttribute(initial: unknown): boolean;
  subwidgets?(name: string, value: unknown, attrs?: Record<string, unknown> | null): Iterable<Record<string, unknown>>;
}

/** What a form needs from a field (src/forms/fields.ts provides them). */
export interface FieldLike {
  label?: string | null;
  helpText?: string | null;
  required: boolean;
  disabled?: boolean;
  localize?: boolean;
  showHiddenInitial?: boolean;
  labelSuffix?: string | null;
  templateName?: string | null;
  initial?: unknown;
  widget: WidgetLike;
  hiddenWidget?: unknown;
  requireAllFields?: boolean;
  fields?: readonly FieldLike[];
  clean(value: unknown, initial?: unknown): unknown;
  boundData(data: unknown, initial: unknown): unknown;
  prepareValue(value: unknown): unknown;
  hasChanged(initial: unknown, data: unknown): boolean;
  toPython(value: unknown): unknown;
  getBoundField?(form: never, name: string): BoundField;
}

/** What a BoundField needs from its form (BaseForm in forms.ts). */
export interface FormLike {
  readonly isBound: boolean;
  readonly data: DataDict;
  readonly files: DataDict;
  readonly autoId: string | boolean | null;
  readonly labelSuffix: string;
  readonly renderer: RendererLike;
  readonly useRequiredAttribute: boolean;
  readonly templateNameLabel: string;
  readonly requiredCssClass?: string;
  readonly errorCssClass?: string;
  readonly errors: ReadonlyMap<string, ErrorList>;
  errorClass: new (initial?: null, options?: { renderer?: RendererLike; fieldId?: string | null }) => ErrorList;
  addPrefix(name: string): string;
  addInitialPrefix(name: string): string;
  getInitialForField(field: FieldLike, name: string): unknown;
  render(templateName?: string, context?: Record<string, unknown>): Promise<SafeString>;
  ensureFullClean(): Promise<void>;
}

/** A widget instance from `field.hiddenWidget`, which may be a class (as Django's) or an instance. */
export function hiddenWidgetOf(field: FieldLike): WidgetLike {
  const hidden = field.hiddenWidget;
  if (typeof hidden === 'function') return new (hidden as new () => WidgetLike)();
  if (hidden && typeof hidden === 'object') return hidden as WidgetLike;
  throw new TypeError(`${field.constructor.name} has no hiddenWidget; showHiddenInitial and asHidden() need one.`);
}

function formatHtml(...parts: unknown[]): SafeString {
  return markSafe(parts.map((p) => (p instanceof Safe ? p.value : escapeHtml(String(p)))).join(''));
}

/**
 * One field of one form: its data, initial value, errors, and HTML.
 *
 * Rendering methods are async (widgets render through templates) and run the
 * form's validation first when the form is bound and was not validated yet.
 *
 * ```ts
 * const form = new ContactForm({ data: { subject: '' } });
 * await form.isValid();
 * const subject = form.getItem('subject');
 * subject.errors;              // ErrorList ['This field is required.']
 * await subject.asFieldGroup(); // label, errors and <input> as Django renders them
 * ```
 */
export class BoundField {
  readonly form: FormLike;
  readonly field: FieldLike;
  readonly name: string;
  readonly htmlName: string;
  readonly htmlInitialName: string;
  readonly htmlInitialId: string;
  label: string;
  helpText: string;
  #initial: { value: unknown } | undefined;
  #subwidgets: BoundWidget[] | undefined;

  constructor(form: FormLike, field: FieldLike, name: string) {
    this.form = form;
    this.field = field;
    this.name = name;
    this.htmlName = form.addPrefix(name);
    this.htmlInitialName = form.addInitialPrefix(name);
    this.htmlInitialId = form.addInitialPrefix(this.autoId);
    this.label = field.label === null || field.label === undefined ? prettyName(name) : field.label;
    this.helpText = field.helpText ?? '';
  }

  get renderer(): RendererLike {
    return this.form.renderer;
  }

  /** This field's errors (an empty ErrorList when none). Throws before a bound form was validated. */
  get errors(): ErrorList {
    return this.form.errors.get(this.name) ?? new this.form.errorClass(null, { renderer: this.form.renderer });
  }

  /** The id Django generates from the form's autoId (`id_<html name>`), or '' when autoId is off. */
  get autoId(): string {
    const autoId = this.form.autoId;
    if (typeof autoId === 'string' && autoId.includes('%s')) return autoId.replace('%s', this.htmlName);
    if (autoId) return this.htmlName;
    return '';
  }

  /** The id a `<label for>` should point at (the widget decides, e.g. the first subwidget). */
  get idForLabel(): string {
    const widget = this.field.widget;
    const id = (widget.attrs['id'] as string | undefined) || this.autoId;
    return widget.idForLabel(id) ?? '';
  }

  /** The initial value: the form's `initial[name]`, else the field's (callables called). Cached. */
  get initial(): unknown {
    this.#initial ??= { value: this.form.getInitialForField(this.field, this.name) };
    return this.#initial.value;
  }

  /** The submitted value as the widget reads it from the form's data (undefined when absent). */
  get data(): unknown {
    return this.field.widget.valueFromDatadict(this.form.data, this.form.files, this.htmlName);
  }

  /** The value to display: the submitted data when bound, else the initial value, prepared by the field. */
  value(): unknown {
    let data = this.initial;
    if (this.form.isBound) data = this.field.boundData(this.data, data);
    return this.field.prepareValue(data);
  }

  get isHidden(): boolean {
    return this.field.widget.isHidden;
  }

  get useFieldset(): boolean {
    return Boolean(this.field.widget.useFieldset);
  }

  /** The widget's class name without "Widget"/"Input", lower-case (`textinput` → `text`). */
  get widgetType(): string {
    return this.field.widget.constructor.name.toLowerCase().replace(/widget$|input$/, '');
  }

  /** The template of `asFieldGroup()`: the field's own, else the renderer's `django/forms/field.html`. */
  get templateName(): string {
    return this.field.templateName || this.form.renderer.fieldTemplateName;
  }

  /** Ids of the help text and error list, for the widget's aria-describedby; null when the widget sets its own. */
  get ariaDescribedby(): string | null {
    if (this.field.widget.attrs['aria-describedby']) return null;
    const ids: string[] = [];
    if (this.autoId && !this.isHidden) {
      if (this.helpText) ids.push(`${this.autoId}_helptext`);
      if (this.errors.length > 0) ids.push(`${this.autoId}_error`);
    }
    return ids.join(' ');
  }

  /** Attributes the form adds to the widget: required, disabled, aria-invalid, aria-describedby. */
  buildWidgetAttrs(attrs: Readonly<Record<string, unknown>>, widget: WidgetLike = this.field.widget): Record<string, unknown> {
    const out: Record<string, unknown> = { ...attrs };
    if (widget.useRequiredAttribute(this.initial) && this.field.required && this.form.useRequiredAttribute) {
      const field = this.field;
      if (field.requireAllFields === false && field.fields && widget.widgets) {
        // A MultiValueField that accepts partial input marks each subwidget by its own subfield.
        field.fields.forEach((subfield, i) => {
          const sub = widget.widgets![i];
          if (sub) sub.attrs['required'] = sub.useRequiredAttribute(this.initial) && subfield.required;
        });
      } else {
        out['required'] = true;
      }
    }
    if (this.field.disabled) out['disabled'] = true;
    if (!widget.isHidden && this.errors.length > 0) out['aria-invalid'] = 'true';
    // attrs given by the caller keep their aria-describedby, so the caller controls the order.
    if (!out['aria-describedby'] && !this.useFieldset) {
      const described = this.ariaDescribedby;
      if (described) out['aria-describedby'] = described;
    }
    return out;
  }

  /** Space-separated CSS classes: the extra ones, then the form's errorCssClass / requiredCssClass when they apply. */
  cssClasses(extraClasses: string | readonly string[] | null = null): string {
    const classes = new Set(typeof extraClasses === 'string' ? extraClasses.split(/\s+/).filter(Boolean) : (extraClasses ?? []));
    if (this.form.errorCssClass !== undefined && this.errors.length > 0) classes.add(this.form.errorCssClass);
    if (this.form.requiredCssClass !== undefined && this.field.required) classes.add(this.form.requiredCssClass);
    return [...classes].join(' ');
  }

  /**
   * Renders the field's widget (or `widget`) with the form's attributes added.
   * `onlyInitial` renders the hidden "initial-" copy used by showHiddenInitial.
   */
  async asWidget(widget: WidgetLike | null = null, attrs: Record<string, unknown> | null = null, onlyInitial = false): Promise<SafeString> {
    await this.form.ensureFullClean();
    const w = widget ?? this.field.widget;
    if (this.field.localize) w.isLocalized = true;
    const built = this.buildWidgetAttrs(attrs ?? {}, w);
    if (this.autoId && !('id' in w.attrs) && !('id' in built)) built['id'] = onlyInitial ? this.htmlInitialId : this.autoId;
    let value: unknown;
    if (onlyInitial && this.form.data.has(this.htmlInitialName)) {
      value = hiddenWidgetOf(this.field).valueFromDatadict(this.form.data, this.form.files, this.htmlInitialName);
    } else {
      value = this.value();
    }
    return w.render(onlyInitial ? this.htmlInitialName : this.htmlName, value, built, this.form.renderer);
  }

  /** Renders the field as its hidden widget (`<input type="hidden">`). */
  asHidden(attrs: Record<string, unknown> | null = null, onlyInitial = false): Promise<SafeString> {
    return this.asWidget(hiddenWidgetOf(this.field), attrs, onlyInitial);
  }

  /**
   * The `<label>` (or `<legend>`) for this field through `django/forms/label.html`;
   * the label is escaped unless it is a SafeString, and the form's label suffix is
   * added unless the label ends in `:?.!`. Without an id it renders the text alone.
   */
  async labelTag(
    contents: string | SafeString | null = null,
    attrs: Record<string, unknown> | null = null,
    labelSuffix: string | null = null,
    tag: string | null = null,
  ): Promise<SafeString> {
    let label: string | SafeString = contents || this.label;
    const suffix = labelSuffix ?? this.field.labelSuffix ?? this.form.labelSuffix;
    const text = String(label);
    if (suffix && text && !':?.!'.includes(text.at(-1)!)) label = formatHtml(label, suffix);
    const widget = this.field.widget;
    const id = (widget.attrs['id'] as string | undefined) || this.autoId;
    let finalAttrs = attrs;
    if (id) {
      const forId = widget.idForLabel(id);
      if (forId) finalAttrs = { ...(finalAttrs ?? {}), for: forId };
      if (this.field.required && this.form.requiredCssClass !== undefined) {
        finalAttrs = { ...(finalAttrs ?? {}) };
        const current = finalAttrs['class'];
        finalAttrs['class'] = current ? `${String(current)} ${this.form.requiredCssClass}` : this.form.requiredCssClass;
      }
    }
    const context = { field: this, label, attrs: finalAttrs, use_tag: Boolean(id), tag: tag || 'label' };
    return this.form.render(this.form.templateNameLabel, context);
  }

  /** {@link labelTag} with a `<legend>`, for widgets rendered in a fieldset. */
  legendTag(contents: string | SafeString | null = null, attrs: Record<string, unknown> | null = null, labelSuffix: string | null = null): Promise<SafeString> {
    return this.labelTag(contents, attrs, labelSuffix, 'legend');
  }

  getContext(): Record<string, unknown> {
    return { field: this };
  }

  /** Renders `templateName` (default: the field group template) with `{ field: this }`. */
  async render(templateName?: string, context?: Record<string, unknown>, renderer?: RendererLike): Promise<SafeString> {
    await this.form.ensureFullClean();
    return (renderer ?? this.form.renderer).render(templateName ?? this.templateName, context ?? this.getContext());
  }

  /** Label, help text, errors and widget, as `{{ field.as_field_group }}` renders them. */
  asFieldGroup(): Promise<SafeString> {
    return this.render();
  }

  /** What `{{ field }}` prints: the widget, plus the hidden initial copy when showHiddenInitial. */
  async toHtml(): Promise<SafeString> {
    const main = await this.asWidget();
    if (!this.field.showHiddenInitial) return main;
    const hidden = await this.asHidden(null, true);
    return markSafe(main.value + hidden.value);
  }

  /** Whether the submitted value differs from the initial one (read from the hidden copy when showHiddenInitial). */
  _hasChanged(): boolean {
    const field = this.field;
    let initial: unknown;
    if (field.showHiddenInitial) {
      initial = hiddenWidgetOf(field).valueFromDatadict(this.form.data, this.form.files, this.htmlInitialName);
      try {
        initial = field.toPython(initial);
      } catch (error) {
        // A tampered hidden value counts as a change, as in Django.
        if (error instanceof ValidationError) return true;
        throw error;
      }
    } else {
      initial = this.initial;
    }
    return field.hasChanged(initial, this.data);
  }

  /** One BoundWidget per choice for choice widgets (one for other widgets). Cached. */
  get subwidgets(): BoundWidget[] {
    if (this.#subwidgets) return this.#subwidgets;
    const widget = this.field.widget;
    const id = (widget.attrs['id'] as string | undefined) || this.autoId;
    const attrs = this.buildWidgetAttrs(id ? { id } : {});
    const items = widget.subwidgets ? [...widget.subwidgets(this.htmlName, this.value(), attrs)] : [];
    this.#subwidgets = items.map((data) => new BoundWidget(widget, data, this.form.renderer));
    return this.#subwidgets;
  }

  [Symbol.iterator](): Iterator<BoundWidget> {
    return this.subwidgets[Symbol.iterator]();
  }

  get length(): number {
    return this.subwidgets.length;
  }

  __html__(): Promise<string> {
    return this.toHtml().then((s) => s.value);
  }

  // Django's names, for templates.
  get html_name(): string { return this.htmlName; }
  get html_initial_name(): string { return this.htmlInitialName; }
  get auto_id(): string { return this.autoId; }
  get id_for_label(): string { return this.idForLabel; }
  get help_text(): string { return this.helpText; }
  get is_hidden(): boolean { return this.isHidden; }
  get use_fieldset(): boolean { return this.useFieldset; }
  get widget_type(): string { return this.widgetType; }
  get template_name(): string { return this.templateName; }
  get aria_describedby(): string | null { return this.ariaDescribedby; }
  get css_classes(): string { return this.cssClasses(); }
  get label_tag(): Promise<SafeString> { return this.labelTag(); }
  get legend_tag(): Promise<SafeString> { return this.legendTag(); }
  get as_field_group(): Promise<SafeString> { return this.asFieldGroup(); }
  get as_widget(): Promise<SafeString> { return this.asWidget(); }
  get as_hidden(): Promise<SafeString> { return this.asHidden(); }
}

/**
 * One choice of a choice widget, for templates that lay radios out by hand:
 * `{% for radio in form.size %}{{ radio.tag }} {{ radio.choice_label }}{% endfor %}`.
 */
export class BoundWidget {
  readonly parentWidget: WidgetLike;
  readonly data: Record<string, unknown>;
  readonly renderer: RendererLike;

  constructor(parentWidget: WidgetLike, data: Record<string, unknown>, renderer: RendererLike) {
    this.parentWidget = parentWidget;
    this.data = data;
    this.renderer = renderer;
  }

  /** The input alone, or wrapped in its `<label>` with `wrapLabel`. */
  tag(wrapLabel = false): Promise<SafeString> {
    return this.renderer.render(this.templateName, { widget: { ...this.data, wrap_label: wrapLabel } });
  }

  get templateName(): string {
    return (this.data['template_name'] as string | undefined) ?? this.parentWidget.templateName ?? '';
  }

  get idForLabel(): string | undefined {
    return (this.data['attrs'] as Record<string, unknown> | undefined)?.['id'] as string | undefined;
  }

  get choiceLabel(): unknown {
    return this.data['label'];
  }

  get id_for_label(): string | undefined { return this.idForLabel; }
  get choice_label(): unknown { return this.choiceLabel; }
  get template_name(): string { return this.templateName; }

  __html__(): Promise<string> {
    return this.tag(true).then((s) => s.value);
  }
}
