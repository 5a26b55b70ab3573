/** Errors widgets and form renderers throw on programming mistakes. */
import { NuagesError } from '../../core/errors.ts';

/** `new FileInput({ multiple: true })`: a single-file widget was asked to accept several files. */
export class MultipleFilesNotSupportedError extends NuagesError {
  readonly code = 'NUAGES_FORMS_WIDGET_MULTIPLE_FILES';
  constructor(widget: string) {
    super(
      `${widget} doesn't support uploading multiple files. Remove the 'multiple' attribute, or use a widget ` +
        `whose static allowMultipleSelected is true (with a field that accepts a list of files).`,
    );
  }
}

/** `new SelectDateWidget({ emptyLabel: [...] })` with a list that is not [year, month, day]. */
export class SelectDateEmptyLabelError extends NuagesError {
  readonly code = 'NUAGES_FORMS_WIDGET_EMPTY_LABEL';
  constructor(length: number) {
    super(`SelectDateWidget emptyLabel list/tuple must have 3 elements (year, month, day labels), got ${length}.`);
  }
}

/** settings.FORM_RENDERER names a module or export that cannot be loaded as a renderer. */
export class FormRendererImportError extends NuagesError {
  readonly code = 'NUAGES_FORMS_RENDERER_IMPORT';
  constructor(spec: string, reason: string) {
    super(
      `FORM_RENDERER '${spec}' could not be loaded: ${reason}. Write 'module#ExportName' naming a renderer ` +
        `class or instance, e.g. 'nuages/forms/renderers#TemplatesSetting'.`,
    );
  }
}
