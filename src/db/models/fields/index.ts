/** Every model field, re-exported for `nuages/db`. */
export { Field, type FieldOptions, type Choices } from './field.ts';
export {
  IntegerField, SmallIntegerField, BigIntegerField, PositiveIntegerField, PositiveSmallIntegerField,
  PositiveBigIntegerField, AutoField, BigAutoField, SmallAutoField, FloatField, DecimalField,
} from './numeric.ts';
export { CharField, TextField, EmailField, SlugField, URLField } from './text.ts';
export { DateField, DateTimeField, TimeField, DurationField } from './temporal.ts';
export { BooleanField, UUIDField, JSONField, BinaryField, uuid4 } from './misc.ts';
export {
  ForeignKey, OneToOneField, CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, DO_NOTHING, SET,
  type OnDeleteAction, type LimitChoicesTo,
} from './related.ts';
export { ManyToManyField, type ManyToManyOptions } from './many-to-many.ts';
export {
  FileField, ImageField, FieldFile, ImageFieldFile, NoFileAssociatedError, uploadDate, FilePathField,
  type FileFieldOptions, type ImageFieldOptions, type UploadTo, type FilePathFieldOptions,
} from './files.ts';
