// The dumps Nuages writes for fixtures_oracle.py to load with Django (file → dumpdata arguments).
export const NUAGES_DUMPS: Readonly<Record<string, readonly string[]>> = {
  'nuages-plain.json': ['shelf', '--indent', '2'],
  'nuages-natural.json': ['shelf', '--natural-foreign', '--natural-primary'],
  'nuages-natural.jsonl': ['shelf', '--format', 'jsonl', '--natural-foreign', '--natural-primary'],
};
