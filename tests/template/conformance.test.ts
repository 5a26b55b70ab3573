/**
 * Runs every case of the Django 5.2 conformance corpus
 * (../shared/conformance/dtl/cases.jsonl) through the engine, byte for byte,
 * then the extra Django-rendered cases of tests/template/cases/extra.jsonl.
 */
import { test, describe } from 'node:test';
import { readCases, runCase } from './conformance-helpers.ts';

describe('Django 5.2 conformance corpus', () => {
  for (const c of readCases(new URL('../../../shared/conformance/dtl/cases.jsonl', import.meta.url))) {
    test(c.id, () => runCase(c));
  }
});

describe('extra cases rendered by Django 5.2 (cases/generate.py)', () => {
  for (const c of readCases(new URL('./cases/extra.jsonl', import.meta.url))) {
    test(c.id, () => runCase(c));
  }
});
