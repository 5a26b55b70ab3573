"""Writes form-specs.json: the forms, data and options of the differential corpus.

Each case names its fields (Django class name + keyword options in Django's
spelling), an optional widget (class name + attrs), form options, and the POST
data as [key, value] pairs (repeated keys allowed; null = an unbound form).
Run: .venv-django/bin/python tests/forms/django/make_specs.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
cases = []


def case(category, name, fields, data=None, form=None, group=None):
    cases.append({
        "category": category,
        "name": f"{category}: {name}",
        "fields": fields,
        "data": data,
        "form": form or {},
        "group": group or fields[0]["name"],
    })


def f(name, type_, widget=None, **options):
    spec = {"name": name, "type": type_, "options": options}
    if widget:
        spec["widget"] = widget
    return spec


COLORS = [["r", "Red"], ["g", "Green"], ["b", "Blue & <i>bold</i>"]]

# One field per type, four data shapes each: unbound, valid, invalid, key missing.
SIMPLE = [
    ("CharField", {"max_length": 5, "min_length": 2}, "abc", "abcdefgh"),
    ("CharField", {}, "  spaced  ", ""),
    ("IntegerField", {"min_value": 1, "max_value": 10}, "7", "11"),
    ("IntegerField", {"step_size": 5}, "10", "7"),
    ("IntegerField", {}, "3", "three"),
    ("FloatField", {}, "1.5", "x1"),
    ("DecimalField", {"max_digits": 5, "decimal_places": 2}, "123.45", "1234.567"),
    ("BooleanField", {}, "on", ""),
    ("NullBooleanField", {}, "true", "maybe"),
    ("EmailField", {}, "ann@example.com", "not-an-email"),
    ("URLField", {}, "https://example.com/a", "htp//bad"),
    ("SlugField", {}, "a-slug_1", "not a slug"),
    ("RegexField", {"regex": "^[0-9]{3}$"}, "123", "12a"),
    ("UUIDField", {}, "12345678-1234-5678-1234-567812345678", "zzz"),
    ("JSONField", {}, '{"a": [1, 2]}', "{bad json"),
    ("ChoiceField", {"choices": COLORS}, "g", "x"),
    ("TypedChoiceField", {"choices": [["1", "One"], ["2", "Two"]], "coerce": "int"}, "2", "3"),
    ("GenericIPAddressField", {}, "192.168.0.1", "999.1.1.1"),
]
for i, (type_, options, good, bad) in enumerate(SIMPLE):
    label = f"{type_} #{i}"
    fields = [f("value", type_, **options), f("note", "CharField", required=False)]
    case("fields", f"{label} unbound", fields)
    case("fields", f"{label} valid", fields, [["value", good], ["note", "n"]])
    case("fields", f"{label} invalid", fields, [["value", bad]])
    case("fields", f"{label} missing key", fields, [["note", "only note"]])
    case("fields", f"{label} not required, empty", [f("value", type_, required=False, **options)], [["value", ""]])

# Multiple choices and repeated keys.
for widget in (None, {"type": "CheckboxSelectMultiple"}):
    w = widget["type"] if widget else "SelectMultiple"
    fields = [f("colors", "MultipleChoiceField", widget=widget, choices=COLORS)]
    case("choices", f"{w} unbound", fields)
    case("choices", f"{w} two values", fields, [["colors", "r"], ["colors", "b"]])
    case("choices", f"{w} one bad value", fields, [["colors", "r"], ["colors", "zz"]])
    case("choices", f"{w} none", fields, [])
    case("choices", f"{w} initial", fields, None, {"initial": {"colors": ["g"]}})
for widget in ("Select", "RadioSelect"):
    fields = [f("color", "ChoiceField", widget={"type": widget}, choices=COLORS)]
    case("choices", f"{widget} unbound", fields)
    case("choices", f"{widget} valid", fields, [["color", "b"]])
    case("choices", f"{widget} not offered", fields, [["color", "<script>"]])
    case("choices", f"{widget} repeated key, last wins", fields, [["color", "zz"], ["color", "r"]])
    case("choices", f"{widget} initial", fields, None, {"initial": {"color": "g"}})
    case("choices", f"{widget} grouped", [f("color", "ChoiceField", widget={"type": widget},
         choices=[["Warm", [["r", "Red"], ["o", "Orange"]]], ["Cold", [["b", "Blue"]]], ["n", "None"]])], [["color", "o"]])
case("choices", "Select with empty choice", [f("color", "ChoiceField", choices=[["", "---------"]] + COLORS)], [["color", ""]])
case("choices", "NullBooleanField RadioSelect", [f("ok", "NullBooleanField", widget={"type": "RadioSelect", "choices": [["unknown", "?"], ["true", "Yes"], ["false", "No"]]})], [["ok", "false"]])

# Widgets with attrs.
WIDGETS = [
    ("CharField", {"type": "Textarea", "attrs": {"rows": 3, "class": "big"}}, "hello\nworld"),
    ("CharField", {"type": "PasswordInput"}, "secret"),
    ("CharField", {"type": "PasswordInput", "render_value": True}, "secret"),
    ("CharField", {"type": "HiddenInput"}, "h"),
    ("CharField", {"type": "TextInput", "attrs": {"placeholder": "Say \"hi\" & <go>", "autofocus": True}}, "x"),
    ("CharField", {"type": "EmailInput"}, "a@b.c"),
    ("CharField", {"type": "URLInput"}, "http://x.y"),
    ("CharField", {"type": "SearchInput"}, "q"),
    ("CharField", {"type": "TelInput"}, "555"),
    ("CharField", {"type": "ColorInput"}, "#ff0000"),
    ("BooleanField", {"type": "CheckboxInput", "attrs": {"class": "check"}}, "on"),
    ("IntegerField", {"type": "NumberInput", "attrs": {"step": "2"}}, "4"),
]
for type_, widget, value in WIDGETS:
    fields = [f("value", type_, widget=widget, required=False)]
    label = widget["type"] + ("+" + ",".join(sorted(widget.get("attrs", {}))) if widget.get("attrs") else "") + (" render_value" if widget.get("render_value") else "")
    case("widgets", f"{label} unbound", fields)
    case("widgets", f"{label} bound", fields, [["value", value]])
    case("widgets", f"{label} initial", fields, None, {"initial": {"value": value}})

# Hidden fields and their errors at the top.
hidden = [f("token", "CharField", widget={"type": "HiddenInput"}), f("name", "CharField")]
case("hidden", "hidden unbound", hidden)
case("hidden", "hidden missing", hidden, [["name", "ann"]])
case("hidden", "hidden and visible missing", hidden, [])
case("hidden", "hidden valid", hidden, [["token", "t"], ["name", "n"]])
case("hidden", "only hidden fields, error", [f("token", "CharField", widget={"type": "HiddenInput"})], [])
case("hidden", "only hidden fields, unbound", [f("token", "CharField", widget={"type": "HiddenInput"})])
case("hidden", "show_hidden_initial", [f("name", "CharField", show_hidden_initial=True)], None, {"initial": {"name": "x"}})
case("hidden", "show_hidden_initial bound", [f("name", "CharField", show_hidden_initial=True)], [["name", "y"], ["initial-name", "x"]])

# Labels, help text, suffixes.
case("labels", "label with HTML is escaped", [f("name", "CharField", label="<b>Name</b> & co")])
case("labels", "label ending in ?", [f("name", "CharField", label="Your name?")])
case("labels", "empty label", [f("name", "CharField", label="")])
case("labels", "label_suffix on field", [f("name", "CharField", label_suffix=" ->")])
case("labels", "label_suffix on form", [f("name", "CharField")], None, {"label_suffix": " *"})
case("labels", "empty form label_suffix", [f("name", "CharField")], None, {"label_suffix": ""})
case("labels", "help text with HTML", [f("name", "CharField", help_text="Use <em>letters</em> & digits")])
case("labels", "help text bound with error", [f("name", "CharField", help_text="Help")], [["name", ""]])
case("labels", "snake_case name", [f("first_name", "CharField")])
case("labels", "unicode label", [f("name", "CharField", label="Prénom ✓")], [["name", ""]])

# auto_id, prefix, initial, required attribute, css classes, disabled.
two = [f("name", "CharField", max_length=10), f("age", "IntegerField", required=False)]
case("form", "auto_id off", two, None, {"auto_id": False})
case("form", "auto_id without %s", two, None, {"auto_id": "field"})
case("form", "auto_id custom", two, [["name", ""]], {"auto_id": "f_%s_x"})
case("form", "prefix unbound", two, None, {"prefix": "p"})
case("form", "prefix bound", two, [["p-name", "ann"], ["p-age", "x"]], {"prefix": "p"})
case("form", "prefix bound, unprefixed keys ignored", two, [["name", "ann"]], {"prefix": "p"})
case("form", "initial unbound", two, None, {"initial": {"name": "Ann", "age": 30}})
case("form", "initial ignored when bound", two, [["name", "Bob"]], {"initial": {"name": "Ann"}})
case("form", "field initial", [f("name", "CharField", initial="From field")])
case("form", "no required attribute", two, None, {"use_required_attribute": False})
case("form", "empty_permitted, empty data", two, [], {"empty_permitted": True, "use_required_attribute": False})
case("form", "empty_permitted, some data", two, [["age", "x"]], {"empty_permitted": True, "use_required_attribute": False})
case("form", "required_css_class", two, [["name", ""]], {"required_css_class": "required"})
case("form", "error_css_class", two, [["name", ""]], {"error_css_class": "error"})
case("form", "disabled field takes initial", [f("name", "CharField", disabled=True), f("age", "IntegerField")], [["name", "hacked"], ["age", "3"]], {"initial": {"name": "Ann"}})
case("form", "disabled unbound", [f("name", "CharField", disabled=True)], None, {"initial": {"name": "Ann"}})
case("form", "field_order", two + [f("email", "EmailField")], None, {"field_order": ["email", "name"]})
case("form", "field_order with unknown names", two, None, {"field_order": ["nope", "age"]})

# Hostile data.
long = "x" * 5000
case("hostile", "huge value", [f("name", "CharField", max_length=100)], [["name", long]])
case("hostile", "huge integer", [f("n", "IntegerField")], [["n", "9" * 400]])
case("hostile", "HTML in value is escaped", [f("name", "CharField")], [["name", "\"><script>alert(1)</script>"]])
case("hostile", "HTML in textarea", [f("name", "CharField", widget={"type": "Textarea"})], [["name", "</textarea><b>x</b>"]])
case("hostile", "null character", [f("name", "CharField")], [["name", "a\x00b"]])
case("hostile", "unknown keys only", two, [["evil", "1"], ["__all__", "x"]])
case("hostile", "repeated keys, last wins", two, [["name", "first"], ["name", "second"], ["age", "1"], ["age", "x"]])
case("hostile", "empty key", two, [["", "v"], ["name", "ok"]])
case("hostile", "unicode data", [f("name", "CharField", max_length=3)], [["name", "日本語です"]])
case("hostile", "whitespace only", [f("name", "CharField")], [["name", "   \t "]])
case("hostile", "number with spaces", [f("n", "IntegerField")], [["n", " 42 "]])
case("hostile", "decimal exponent", [f("d", "DecimalField", max_digits=4, decimal_places=1)], [["d", "1e10"]])
case("hostile", "float nan", [f("x", "FloatField")], [["x", "nan"]])
case("hostile", "email with html", [f("e", "EmailField")], [["e", "<a>@b.c"]])
case("hostile", "choice list value in single choice", [f("c", "ChoiceField", choices=COLORS)], [["c", "r"], ["c", "g"]])

# A larger mixed form.
signup = [
    f("username", "CharField", max_length=30, help_text="Letters, digits and @/./+/-/_ only."),
    f("email", "EmailField"),
    f("age", "IntegerField", min_value=13, required=False),
    f("plan", "ChoiceField", choices=[["free", "Free"], ["pro", "Pro"]], widget={"type": "RadioSelect"}),
    f("bio", "CharField", widget={"type": "Textarea"}, required=False),
    f("terms", "BooleanField"),
    f("next", "CharField", widget={"type": "HiddenInput"}, required=False),
]
case("mixed", "signup unbound", signup)
case("mixed", "signup valid", signup, [["username", "ann"], ["email", "a@b.co"], ["age", "20"], ["plan", "pro"], ["terms", "on"], ["next", "/x"]])
case("mixed", "signup all wrong", signup, [["username", "a" * 31], ["email", "x"], ["age", "5"], ["plan", "gold"]])
case("mixed", "signup empty post", signup, [])
case("mixed", "signup prefixed", signup, [["s-username", "ann"]], {"prefix": "s"})
case("mixed", "signup no ids", signup, [["username", ""]], {"auto_id": False})

json.dump({"cases": cases}, open(os.path.join(HERE, "form-specs.json"), "w"), indent=1, ensure_ascii=False)
print(len(cases), "cases")
