/**
 * Every form widget of Django 5.2 (`nuages/forms` re-exports them).
 *
 * - widgets/base.ts: Widget, Input and its subclasses, Textarea, file and date inputs, CheckboxInput
 * - widgets/choice.ts: Select, NullBooleanSelect, SelectMultiple, RadioSelect, CheckboxSelectMultiple
 * - widgets/multi.ts: MultiWidget, SplitDateTimeWidget, SplitHiddenDateTimeWidget, SelectDateWidget
 *
 * normalizeChoices/Choice are exported by the fields (fields/choice.ts); the
 * widget copy in widgets/choice.ts accepts the same shapes.
 */
export {
  Widget,
  Media,
  Input,
  TextInput,
  NumberInput,
  EmailInput,
  URLInput,
  ColorInput,
  SearchInput,
  TelInput,
  PasswordInput,
  HiddenInput,
  MultipleHiddenInput,
  FileInput,
  ClearableFileInput,
  FILE_INPUT_CONTRADICTION,
  fileIsSet,
  Textarea,
  DateTimeBaseInput,
  DateInput,
  DateTimeInput,
  TimeInput,
  CheckboxInput,
  booleanCheck,
  strftime,
  getFormat,
  dataGet,
  dataGetList,
  dataHas,
  type WidgetAttrs,
  type WidgetData,
  type WidgetContext,
} from './widgets/base.ts';
export {
  ChoiceWidget,
  Select,
  NullBooleanSelect,
  SelectMultiple,
  RadioSelect,
  CheckboxSelectMultiple,
  type OptionContext,
  type OptGroup,
} from './widgets/choice.ts';
export {
  MultiWidget,
  SplitDateTimeWidget,
  SplitHiddenDateTimeWidget,
  SelectDateWidget,
  type SplitDateTimeOptions,
  type SelectDateWidgetOptions,
} from './widgets/multi.ts';
export { MultipleFilesNotSupportedError, SelectDateEmptyLabelError, FormRendererImportError } from './widgets/errors.ts';
