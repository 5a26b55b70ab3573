/** Database functions, as Django's `django.db.models.functions`. */
export * from './comparison.ts';
export * from './text.ts';
export * from './datetime.ts';
