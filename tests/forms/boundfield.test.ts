import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CharField, ChoiceField, defineForm, RadioSelect } from '../../src/forms/index.ts';
import { Engine } from '../../src/template/engine.ts';

const F = defineForm({
  name: new CharField({ label: '<b>Name</b>', helpText: 'Help' }),
  size: new ChoiceField({ choices: [['s', 'Small'], ['l', 'Large']], widget: RadioSelect }),
});

test('labelTag escapes the label, adds the suffix and points at the widget id', async () => {
  const form = new F();
  assert.equal((await form.name.labelTag()).value, '<label for="id_name">&lt;b&gt;Name&lt;/b&gt;:</label>');
  assert.equal((await form.name.legendTag()).value, '<legend for="id_name">&lt;b&gt;Name&lt;/b&gt;:</legend>');
  const noIds = new F({ autoId: false });
  assert.equal((await noIds.name.labelTag()).value, '&lt;b&gt;Name&lt;/b&gt;:');
});

test('value() shows data when bound, initial when not; errors mark the widget aria-invalid', async () => {
  assert.equal(new F({ initial: { name: 'Ann' } }).name.value(), 'Ann');
  const bound = new F({ data: { name: '' }, initial: { name: 'Ann' } });
  assert.equal(bound.name.value(), '');
  const html = (await bound.name.asWidget()).value;
  assert.match(html, /aria-invalid="true" aria-describedby="id_name_helptext id_name_error"/);
});

test('choice widgets iterate as BoundWidgets with labels and ids', async () => {
  const form = new F({ initial: { size: 'l' } });
  const radios = [...form.size];
  assert.deepEqual(radios.map((r) => [r.idForLabel, r.choiceLabel]), [['id_size_0', 'Small'], ['id_size_1', 'Large']]);
  assert.match((await radios[1]!.tag()).value, /^<input type="radio" name="size" value="l" id="id_size_1" required checked>$/);
});

test('templates reach fields by name and Django attribute names', async () => {
  const engine = new Engine({});
  const template = engine.fromString('{{ form.name.label_tag }}|{{ form.name.html_name }}|{% for r in form.size %}{{ r.choice_label }};{% endfor %}|{{ form.name.errors }}');
  const form = new F({ data: { size: 's' } });
  await form.isValid();
  assert.equal(
    await template.render({ form }),
    '<label for="id_name">&lt;b&gt;Name&lt;/b&gt;:</label>|name|Small;Large;|<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>',
  );
});
