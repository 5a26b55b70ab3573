"""Renders every Django 5.2 widget for the cases below and writes widgets.json.

Run: .venv-django/bin/python tests/forms/django/widgets_oracle.py
Values are tagged in JSON so both sides build the same objects:
{"$date": "YYYY-MM-DD"}, {"$datetime": "YYYY-MM-DDTHH:MM:SS[.ffffff]"},
{"$time": "HH:MM:SS"}, {"$file": {"name": ..., "url": ...}}.
"""
import datetime, json, os
import django
from django.conf import settings

settings.configure(USE_TZ=False, TIME_ZONE="UTC", USE_I18N=True, LANGUAGE_CODE="en-us",
                   INSTALLED_APPS=[], TEMPLATES=[])
django.setup()
from django.forms import widgets as W  # noqa: E402
from django.http import QueryDict  # noqa: E402


class FakeFile:
    def __init__(self, name, url):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        if "$date" in v:
            return datetime.date.fromisoformat(v["$date"])
        if "$datetime" in v:
            return datetime.datetime.fromisoformat(v["$datetime"])
        if "$time" in v:
            return datetime.time.fromisoformat(v["$time"])
        if "$file" in v:
            return FakeFile(v["$file"]["name"], v["$file"]["url"])
        return {k: decode(x) for k, x in v.items()}
    return v


def build(spec):
    kw = dict(spec.get("kwargs", {}))
    if "choices" in kw:
        kw["choices"] = [(c[0], [tuple(x) for x in c[1]] if isinstance(c[1], list) else c[1]) for c in kw["choices"]]
    if "widgets" in kw:
        kw["widgets"] = [build(w) for w in kw["widgets"]]
    if "years" in kw:
        kw["years"] = kw["years"]
    w = getattr(W, spec["widget"])(**kw)
    if spec.get("is_required"):
        w.is_required = True
    return w


HOSTILE = '"><script>alert(1)</script>'
CH = [["1", "One"], ["2", "Two & <b>"], ["", "---"]]
GROUPED = [["Audio", [["vinyl", "Vinyl"], ["cd", "CD"]]], ["Video", [["vhs", "VHS"], ["dvd", "DVD"]]], ["unknown", "Unknown"]]
render_cases = []


def rc(widget, name, value, attrs=None, kwargs=None, is_required=False):
    render_cases.append({"widget": widget, "kwargs": kwargs or {}, "name": name, "value": value,
                         "attrs": attrs, "is_required": is_required})


for cls in ["TextInput", "NumberInput", "EmailInput", "URLInput", "ColorInput", "SearchInput", "TelInput", "HiddenInput"]:
    rc(cls, "f", None)
    rc(cls, "f", "hello", {"id": "id_f", "required": True})
    rc(cls, "f", HOSTILE, {"class": HOSTILE, "data-x": "a'b", "disabled": False, "autofocus": True})
    rc(cls, "f", 42, {"maxlength": 10})
rc("TextInput", "f", "", None)
rc("TextInput", "f", True, None)
rc("TextInput", "f", 0, None)
rc("TextInput", "f", "x", None, {"attrs": {"type": "week", "size": "10"}})
rc("PasswordInput", "p", "secret")
rc("PasswordInput", "p", "secret", None, {"render_value": True})
rc("MultipleHiddenInput", "m", ["a", "b&c"], {"id": "id_m"})
rc("MultipleHiddenInput", "m", ["a", "b"])
rc("MultipleHiddenInput", "m", None)
rc("FileInput", "up", "ignored.txt", {"id": "id_up"})
rc("ClearableFileInput", "up", None)
rc("ClearableFileInput", "up", {"$file": {"name": "a<b>.txt", "url": "/media/a.txt?x=1&y=2"}}, {"id": "id_up"})
rc("ClearableFileInput", "up", {"$file": {"name": "a.txt", "url": "/media/a.txt"}}, None, None, True)
rc("Textarea", "t", None)
rc("Textarea", "t", "line1\n</textarea><script>", {"rows": 3})
rc("Textarea", "t", "x", None, {"attrs": {"cols": 20, "class": "big"}})
rc("DateInput", "d", {"$date": "2024-02-09"})
rc("DateInput", "d", {"$date": "0987-02-09"})
rc("DateInput", "d", "not a date")
rc("DateInput", "d", {"$date": "2024-02-09"}, None, {"format": "%d/%m/%Y"})
rc("DateInput", "d", {"$datetime": "2024-02-09T13:05:09"})
rc("DateTimeInput", "dt", {"$datetime": "2024-02-09T13:05:09.123000"})
rc("DateTimeInput", "dt", {"$datetime": "2024-02-09T13:05:09"}, None, {"format": "%d %B %Y %I:%M %p"})
rc("DateTimeInput", "dt", None)
rc("TimeInput", "t", {"$time": "13:05:09"})
rc("TimeInput", "t", "7:05")
rc("TimeInput", "t", {"$time": "13:05:09"}, None, {"format": "%H:%M"})
rc("CheckboxInput", "c", None)
rc("CheckboxInput", "c", True, {"id": "id_c"})
rc("CheckboxInput", "c", False)
rc("CheckboxInput", "c", "")
rc("CheckboxInput", "c", "on")
rc("CheckboxInput", "c", 0)
rc("CheckboxInput", "c", HOSTILE)
for cls in ["Select", "SelectMultiple", "RadioSelect", "CheckboxSelectMultiple"]:
    rc(cls, "s", None, None, {"choices": CH})
    rc(cls, "s", "2", {"id": "id_s", "class": "pick"}, {"choices": CH})
    rc(cls, "s", ["1", "2"], {"id": "id_s"}, {"choices": CH})
    rc(cls, "s", 1, None, {"choices": CH})
    rc(cls, "s", "cd", {"id": "id_s"}, {"choices": GROUPED})
    rc(cls, "s", HOSTILE, {"data-h": HOSTILE}, {"choices": [[HOSTILE, HOSTILE], [HOSTILE + "2", [[HOSTILE, HOSTILE]]]]})
    rc(cls, "s", "", {"required": True}, {"choices": CH, "attrs": {"class": "c"}})
rc("Select", "s", "1", None, {"choices": [["1", "a"], ["1", "b"]]})
rc("SelectMultiple", "s", ["1"], None, {"choices": [["1", "a"], ["1", "b"]]})
for v in [None, True, False, "true", "false", "2", "3", "x", "unknown"]:
    rc("NullBooleanSelect", "nb", v)
rc("MultiWidget", "mw", ["a", "b"], {"id": "id_mw"}, {"widgets": [{"widget": "TextInput"}, {"widget": "HiddenInput"}]})
rc("MultiWidget", "mw", ["a"], None, {"widgets": [{"widget": "TextInput"}, {"widget": "TextInput", "kwargs": {"attrs": {"class": "x"}}}]})
rc("MultiWidget", "mw", ["a", "b"], {"type": "hidden", "id": "id_mw"}, {"widgets": [{"widget": "TextInput"}, {"widget": "TextInput"}]})
rc("SplitDateTimeWidget", "sdt", {"$datetime": "2024-02-09T13:05:09"}, {"id": "id_sdt"})
rc("SplitDateTimeWidget", "sdt", None)
rc("SplitDateTimeWidget", "sdt", {"$datetime": "2024-02-09T13:05:09"}, None, {"date_format": "%d/%m/%Y", "time_format": "%H:%M", "date_attrs": {"class": "d"}, "time_attrs": {"class": "t"}})
rc("SplitHiddenDateTimeWidget", "sdt", {"$datetime": "2024-02-09T13:05:09"}, {"id": "id_sdt"})
rc("SelectDateWidget", "sd", None, None, {"years": [2023, 2024, 2025]})
rc("SelectDateWidget", "sd", {"$date": "2024-02-09"}, {"id": "id_sd"}, {"years": [2023, 2024, 2025]})
rc("SelectDateWidget", "sd", "2024-0-31", None, {"years": [2024]})
rc("SelectDateWidget", "sd", "2024-02-31", None, {"years": [2024], "empty_label": ["Y", "M", "D"]})
rc("SelectDateWidget", "sd", None, None, {"years": [2024], "empty_label": "pick", "months": {1: "Jan", 2: "Feb"}})
rc("SelectDateWidget", "sd", {"$date": "2024-02-09"}, None, {"years": [2024]}, True)

data_cases = []


def dc(widget, name, data, files=None, kwargs=None, is_required=False):
    data_cases.append({"widget": widget, "kwargs": kwargs or {}, "name": name, "data": data,
                       "files": files or {}, "is_required": is_required})


for cls in ["TextInput", "Textarea", "HiddenInput", "PasswordInput"]:
    dc(cls, "f", {"f": ["a", "b"]})
    dc(cls, "f", {})
    dc(cls, "f", {"f": [""]})
dc("MultipleHiddenInput", "m", {"m": ["a", "b"]})
dc("MultipleHiddenInput", "m", {})
for v in [[], ["on"], ["true"], ["False"], ["FALSE"], ["0"], [""], ["x"]]:
    dc("CheckboxInput", "c", {"c": v} if v else {})
dc("Select", "s", {"s": ["1", "2"]}, None, {"choices": CH})
dc("Select", "s", {}, None, {"choices": CH})
dc("SelectMultiple", "s", {"s": ["1", "2"]}, None, {"choices": CH})
dc("SelectMultiple", "s", {}, None, {"choices": CH})
dc("CheckboxSelectMultiple", "s", {}, None, {"choices": CH})
dc("RadioSelect", "s", {"s": ["2"]}, None, {"choices": CH})
dc("RadioSelect", "s", {}, None, {"choices": CH})
for v in [["true"], ["True"], ["false"], ["False"], ["2"], ["3"], ["unknown"], ["yes"], []]:
    dc("NullBooleanSelect", "nb", {"nb": v} if v else {})
dc("FileInput", "up", {"up": ["x"]}, {})
dc("FileInput", "up", {}, {"up": ["file-token"]})
dc("ClearableFileInput", "up", {"up-clear": ["on"]}, {})
dc("ClearableFileInput", "up", {"up-clear": ["on"]}, {"up": ["file-token"]})
dc("ClearableFileInput", "up", {"up-clear": ["on"]}, {}, None, True)
dc("ClearableFileInput", "up", {}, {})
dc("MultiWidget", "mw", {"mw_0": ["a"], "mw_1": ["b"]}, None, {"widgets": [{"widget": "TextInput"}, {"widget": "TextInput"}]})
dc("MultiWidget", "mw", {"mw_1": ["b"]}, None, {"widgets": [{"widget": "TextInput"}, {"widget": "TextInput"}]})
dc("MultiWidget", "mw", {}, None, {"widgets": [{"widget": "TextInput"}, {"widget": "TextInput"}]})
dc("SplitDateTimeWidget", "sdt", {"sdt_0": ["2024-02-09"], "sdt_1": ["13:05"]})
dc("SelectDateWidget", "sd", {"sd_year": ["2024"], "sd_month": ["2"], "sd_day": ["9"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_year": ["2024"], "sd_month": ["2"], "sd_day": ["31"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_year": [""], "sd_month": [""], "sd_day": [""]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_year": ["2024"], "sd_month": [""], "sd_day": ["3"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_year": ["x"], "sd_month": ["1"], "sd_day": ["3"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_year": ["99999999999999"], "sd_month": ["1"], "sd_day": ["3"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_year": ["2024"], "sd": ["raw"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {"sd_day": ["1"]}, None, {"years": [2024]})
dc("SelectDateWidget", "sd", {}, None, {"years": [2024]})


def qd(d):
    q = QueryDict(mutable=True)
    for k, vs in d.items():
        q.setlist(k, vs)
    return q


def jsonable(v):
    if v is W.FILE_INPUT_CONTRADICTION:
        return {"$contradiction": True}
    return v


out = {"render": [], "data": []}
for case in render_cases:
    w = build(case)
    html = w.render(case["name"], decode(case["value"]), case["attrs"])
    out["render"].append({**case, "html": str(html), "id_for_label": w.id_for_label("id_x"),
                          "use_required_attribute": w.use_required_attribute(None),
                          "is_hidden": w.is_hidden, "use_fieldset": w.use_fieldset,
                          "needs_multipart_form": w.needs_multipart_form})
for case in data_cases:
    w = build(case)
    data, files = qd(case["data"]), qd(case["files"])
    out["data"].append({**case, "value": jsonable(w.value_from_datadict(data, files, case["name"])),
                        "omitted": w.value_omitted_from_data(data, files, case["name"])})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "widgets.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1, ensure_ascii=False)
print(len(out["render"]), "render cases,", len(out["data"]), "data cases ->", path)
