"""Runs form-field cases through Django 5.2 and writes fields.json for tests/forms/fields.test.ts.

Each case: a field spec (Nuages class name + camelCase options), an input, and
what Django's clean() gave: the cleaned value (typed) or the error messages and codes.
Regenerate: .venv-django/bin/python tests/forms/django/fields_oracle.py
"""
import datetime
import decimal
import json
import os
import re
import uuid
import warnings

import django
from django.conf import settings

settings.configure(USE_TZ=True, TIME_ZONE="UTC", USE_I18N=True, LANGUAGE_CODE="en-us")
django.setup()
warnings.simplefilter("ignore")

from django import forms  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

COERCE = {"int": int, "str": str}


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def build(spec):
    cls = getattr(forms, spec["type"])
    kwargs = {}
    args = []
    for key, value in spec.get("options", {}).items():
        if key == "coerce":
            value = COERCE[value]
        if key == "minValue" or key == "maxValue" or key == "stepSize":
            if isinstance(value, str):
                value = decimal.Decimal(value)
        if key == "choices":
            value = [tuple(c) if not isinstance(c[1], list) else (c[0], [tuple(x) for x in c[1]]) for c in value]
        kwargs[snake(key)] = value
    if spec["type"] == "RegexField":
        args.append(spec["regex"])
    if spec["type"] == "ComboField":
        args.append([build(f) for f in spec["fields"]])
    return cls(*args, **kwargs)


def encode(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, (int, float)):
        return {"t": "num", "v": v}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, decimal.Decimal):
        return {"t": "decimal", "v": str(v)}
    if isinstance(v, datetime.datetime):
        if timezone.is_naive(v):
            v = v.replace(tzinfo=datetime.timezone.utc)
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return {"t": "datetime", "ms": (v - epoch) // datetime.timedelta(milliseconds=1)}
    if isinstance(v, datetime.date):
        return {"t": "date", "v": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"t": "time", "v": v.isoformat()}
    if isinstance(v, datetime.timedelta):
        return {"t": "duration", "ms": (v // datetime.timedelta(microseconds=1)) / 1000}
    if isinstance(v, uuid.UUID):
        return {"t": "str", "v": str(v)}
    if isinstance(v, list):
        return {"t": "list", "v": [encode(x) for x in v]}
    raise TypeError(repr(v))


def errors_of(e):
    return {"errors": [{"message": str(msg), "code": m.code} for m, msg in zip(e.error_list, e.messages)]}


def run(spec, value, tz=None):
    field = build(spec)
    try:
        if tz:
            with override_settings(TIME_ZONE=tz), timezone.override(tz):
                out = field.clean(value)
        else:
            out = field.clean(value)
        return {"ok": encode(out)}
    except ValidationError as e:
        return errors_of(e)


def json_ok(spec, value):
    field = build(spec)
    try:
        out = field.clean(value)
        if isinstance(out, float) and out != out:
            return {"jsonNaN": True}
        return {"json": out}
    except ValidationError as e:
        return errors_of(e)


F = lambda t, **o: {"type": t, "options": o}  # noqa: E731
cases = []


def add(spec, inputs, tz=None):
    for value in inputs:
        cases.append({"spec": spec, "input": value, "tz": tz, **run(spec, value, tz)})


HOSTILE = ["", "   ", None, "<script>alert(1)</script>", "a\x00b", "\u00a0x\u00a0", "\x1cx\x1f", "\ufeffx"]

add(F("CharField"), ["hello", "  padded  ", *HOSTILE, "é" * 3, "\U0001f600"])
add(F("CharField", required=False), ["", None, "  "])
add(F("CharField", required=False, emptyValue=None), ["", "  "])
add(F("CharField", strip=False), ["  x  ", "   "])
add(F("CharField", maxLength=5), ["12345", "123456", "\U0001f600" * 5, "\U0001f600" * 6, " 12345 "])
add(F("CharField", minLength=3, maxLength=4), ["ab", "abc", "abcde", "a"])
add(F("CharField", minLength=1), ["a"])
add(F("IntegerField"), ["12", " 12 ", "12.0", "12.000 ", "12.5", "-7", "+7", "1_000", "1__0", "_1", "abc", "", None, "1e3", "0x10", "12.", "٣", "١٢", "१२", "١٢.٠", "３", "9" * 30])
add(F("IntegerField", minValue=1, maxValue=10), ["0", "1", "10", "11"])
add(F("IntegerField", stepSize=5), ["10", "11"])
add(F("IntegerField", stepSize=5, minValue=2), ["7", "8"])
add(F("IntegerField", required=False), ["", None])
add(F("FloatField"), ["1.5", " 2.5 ", "1e3", "1E-2", ".5", "5.", "inf", "nan", "-infinity", "1_000.5", "abc", "1.2.3", "", "0x1", "٣.٥"])
add(F("FloatField", minValue=0.5, maxValue=1.5), ["0.4", "1.6", "1"])
add(F("FloatField", stepSize=0.1), ["0.3", "0.35"])
add(F("DecimalField"), ["1.50", " 3.14 ", "-0.00", "1e2", "abc", "NaN", "Infinity", "-inf", "1_000.25", ".5", "", "1.2.3"])
add(F("DecimalField", maxDigits=4, decimalPlaces=2), ["12.34", "123.4", "1.234", "0.001", "12.340", "99.99", "100", "0.00", "-12.34"])
add(F("DecimalField", maxDigits=3), ["123", "1234", "1.23", "12.34"])
add(F("DecimalField", decimalPlaces=1), ["1.5", "1.55"])
add(F("DecimalField", minValue="1.5", maxValue="10"), ["1.4", "1.5", "10.01"])
add(F("BooleanField"), ["on", "true", "True", "false", "False", "FALSE", "0", "1", "", None, True, False])
add(F("BooleanField", required=False), ["false", "", "x"])
add(F("NullBooleanField"), ["true", "True", "1", "false", "0", "False", "", None, "unknown", "2", True, False])
add(F("EmailField"), ["a@example.com", " a@example.com ", "a@localhost", "a@[127.0.0.1]", "a@[::1]", "a@[IPv6:::1]", "bad", "a@b", "a@-b.com", "a@b-.com",
                      'a"b@example.com', '"a b"@example.com', "a..b@example.com", "a@exa_mple.com", "a@xn--80ak6aa92e.com", "a@例え.jp",
                      "a@example.com.", "x" * 310 + "@example.com", ""])
add(F("URLField", assumeScheme="https"), ["example.com", "http://example.com", "https://example.com/path?q=1#f", "//example.com/x", "ftp://ftp.example.com",
                                          "mailto:a@b.c", "http://localhost:8000/", "http://127.0.0.1", "http://[::1]:80/", "http://[::zz]/", "http://256.0.0.1",
                                          "http://exa mple.com", "http://-bad.com", "http://example", "http://user:pass@example.com", "http://例え.jp",
                                          "http://example.com\n", "http://[::1", "", "   "])
add(F("URLField", assumeScheme="http"), ["example.com", "example.com:8080/x"])
add(F("SlugField"), ["a-b_c1", "a b", "café", "", "-"])
add(F("SlugField", allowUnicode=True), ["café-1", "a b", "日本"])
add({"type": "RegexField", "regex": r"^\d{3}$", "options": {}}, ["123", "1234", " 123", "abc"])
add({"type": "RegexField", "regex": r"\d", "options": {"maxLength": 3}}, ["a1", "abcd", "xyz1"])
add(F("UUIDField"), ["12345678-1234-5678-1234-567812345678", "{12345678-1234-5678-1234-567812345678}", "urn:uuid:12345678-1234-5678-1234-567812345678",
                     "12345678123456781234567812345678", "ABCDEF00-1234-5678-1234-567812345678", "1234", "g2345678-1234-5678-1234-567812345678", "", None,
                     " 12345678-1234-5678-1234-567812345678 "])
add(F("GenericIPAddressField"), ["127.0.0.1", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "::1", "2001:0DB8:0000:0000:0000:0000:0000:0001", "::ffff:1.2.3.4",
                                 "fe80::1%eth0", "1::2::3", "::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "12345::", "x", " 10.0.0.1 ", "", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4"])
add(F("GenericIPAddressField", unpackIpv4=True), ["::ffff:10.0.0.1", "::1"])
add(F("GenericIPAddressField", protocol="IPv4"), ["10.0.0.1", "::1"])
add(F("GenericIPAddressField", protocol="ipv6"), ["10.0.0.1", "::1", "a:b:c:d:e:f:0:1"])
add(F("GenericIPAddressField", required=False), [""])
CH = [["s", "Small"], ["m", "Medium"], ["Group", [["x", "X"], ["y", "Y"]]], [1, "One"]]
add(F("ChoiceField", choices=CH), ["s", "x", "1", "z", "Group", "", None, "<b>", 1])
add(F("ChoiceField", choices=CH, required=False), [""])
add(F("TypedChoiceField", choices=[[1, "One"], [2, "Two"]], coerce="int"), ["1", "2", "3", ""])
add(F("TypedChoiceField", choices=[["a", "A"], ["1", "One"]], coerce="int", required=False), ["", "a", "1"])
add(F("TypedChoiceField", choices=[[1, "One"]], coerce="int", required=False, emptyValue=None), [""])
add(F("MultipleChoiceField", choices=CH), [["s"], ["s", "x"], ["s", "z"], [], None, "s", ["z", "w"], [1]])
add(F("MultipleChoiceField", choices=CH, required=False), [[], None])
add(F("TypedMultipleChoiceField", choices=[[1, "One"], [2, "Two"]], coerce="int"), [["1", "2"], ["3"], []])
add(F("TypedMultipleChoiceField", choices=[[1, "One"], ["a", "A"]], coerce="int"), [["a"], ["1", "a"]])
add(F("TypedMultipleChoiceField", choices=[[1, "One"]], coerce="int", required=False), [[]])
add(F("DateField"), ["2006-10-25", "10/25/2006", "10/25/06", "Oct 25 2006", "oct 25, 2006", "25 October 2006", "October 25, 2006", " 2006-10-25 ",
                     "2006-1-5", "2006-02-30", "2004-02-29", "2005-02-29", "2006-13-01", "25/10/2006", "20061025", "0000-01-01", "abc", "", "2006-10-25T00:00",
                     "Oct  25   2006", "10/25/69", "10/25/68"])
add(F("DateField", inputFormats=["%d.%m.%Y"]), ["25.10.2006", "2006-10-25"])
add(F("TimeField"), ["14:30", "14:30:59", "14:30:59.000200", "14:30:59.5", "1:2", "24:00", "14:60", "2:30 PM", "", "14:30:59.1234567", " 09:05 "])
add(F("TimeField", inputFormats=["%I:%M %p"]), ["2:30 PM", "2:30 am", "13:30 PM"])
add(F("DateTimeField"), ["2006-10-25 14:30:59", "2006-10-25 14:30:59.000200", "2006-10-25 14:30", "2006-10-25", "10/25/2006 14:30", "10/25/06 14:30:59",
                         "2006-10-25T14:30:59", "2006-10-25T14:30:59Z", "2006-10-25T14:30:59+02:00", "2006-10-25 14:30:59-0530", "2006-10-25 14:30:59.123456+01:00",
                         "20061025T143059", "2006-10-25x14:30", "2006-10-25 25:00", "2006-02-30 10:00", "2006-10-25 14:30:59 +02:00", "abc", "", "Oct 25 2006",
                         "2006-10-25 14:30:59,5", "2006-10-25T14"])
add(F("DateTimeField"), ["2006-10-25 14:30", "2024-03-31 02:30", "2024-10-27 02:30", "2024-07-01 12:00+00:00"], tz="Europe/Paris")
add(F("DateTimeField"), ["2006-10-25 14:30"], tz="America/New_York")
add(F("DateField"), ["2006-10-25"], tz="Asia/Tokyo")
add(F("DurationField"), ["30", "1:00", "1:00:00", "1 1:00:00", "1 day, 1:00:00", "2 days, 0:00:00", "-1 1:00:00", "-1:00:00", "1:00:00.5", "1:00:00,25",
                         "P1DT2H3M4S", "PT0.5S", "-P1D", "P1.5D", "3 days 04:05:06", "3 days -04:05:06", "1 day", "abc", "", "1000000000 00:00:00",
                         "999999999 00:00:00", "10\n", "1:00:00.1234567", "P", "PT1H30M"])
add({"type": "ComboField", "fields": [F("CharField", maxLength=20), F("EmailField")], "options": {}}, ["a@example.com", "not-an-email", "averyveryverylongname@example.com", ""])
add(F("SplitDateTimeField"), [["2006-01-10", "07:30"], ["2006-01-10", ""], ["", "07:30"], ["bad", "bad"], ["", ""], None, "x", ["2006-01-10"]])
add(F("SplitDateTimeField", required=False), [["", ""], ["2006-01-10", ""]])
add(F("SplitDateTimeField"), [["2024-03-31", "02:30"]], tz="Europe/Paris")

json_cases = []
for spec, values in [
    (F("JSONField"), ['{"a": 1}', "[1, 2, 3]", '"text"', "3.5", "null", "true", "{bad}", "", "  ", "NaN", '{"a": [1, {"b": null}]}', "'single'"]),
    (F("JSONField", required=False), ["", "null"]),
]:
    for v in values:
        json_cases.append({"spec": spec, "input": v, **json_ok(spec, v)})

changed = []
for spec, initial, data in [
    (F("CharField"), "a", "a"), (F("CharField"), "a", "b"), (F("CharField"), None, ""), (F("CharField"), "", None),
    (F("IntegerField"), 1, "1"), (F("IntegerField"), 1, "2"), (F("IntegerField"), 1, "x"), (F("IntegerField"), None, ""),
    (F("DecimalField"), "1.5", "1.50"), (F("BooleanField"), False, "false"), (F("BooleanField"), False, "on"), (F("BooleanField"), True, ""),
    (F("NullBooleanField"), None, "unknown"), (F("NullBooleanField"), True, "false"),
    (F("MultipleChoiceField", choices=CH), ["s"], ["s"]), (F("MultipleChoiceField", choices=CH), ["s", "m"], ["m", "s"]),
    (F("MultipleChoiceField", choices=CH), ["s"], ["m"]), (F("MultipleChoiceField", choices=CH), None, []), (F("MultipleChoiceField", choices=CH), [1], ["1"]),
    (F("TypedChoiceField", choices=[[1, "One"], [2, "Two"]], coerce="int"), 1, "1"), (F("TypedChoiceField", choices=[[1, "One"], [2, "Two"]], coerce="int"), 1, "2"),
    (F("CharField", disabled=True), "a", "b"), (F("JSONField"), {"a": 1}, '{"a": 1}'), (F("JSONField"), {"a": 1}, '{"a": 2}'), (F("JSONField"), None, ""),
    (F("DateField"), "2006-10-25", "2006-10-25"), (F("DurationField"), None, ""),
]:
    field = build(spec)
    init = decimal.Decimal(initial) if spec["type"] == "DecimalField" else initial
    if spec["type"] == "DateField":
        init = datetime.date.fromisoformat(initial)
    changed.append({"spec": spec, "initial": initial, "data": data, "changed": field.has_changed(init, data)})

attrs = []
for spec, widget in [
    (F("CharField", maxLength=10), None), (F("CharField", maxLength=10, minLength=2), None), (F("CharField", maxLength=10), "HiddenInput"),
    (F("CharField"), None), (F("IntegerField", minValue=1, maxValue=10), None), (F("IntegerField", stepSize=5), None), (F("IntegerField", minValue=1), "TextInput"),
    (F("FloatField"), None), (F("FloatField", stepSize=0.5), None), (F("FloatField", minValue=-1.5), None),
    (F("DecimalField", maxDigits=5, decimalPlaces=2), None), (F("DecimalField", decimalPlaces=0), None), (F("DecimalField", decimalPlaces=7), None),
    (F("DecimalField", decimalPlaces=6), None), (F("DecimalField"), None), (F("DecimalField", decimalPlaces=2), "TextInput"),
    (F("EmailField"), None), (F("URLField", assumeScheme="https"), None), (F("GenericIPAddressField"), None), (F("SlugField", maxLength=50), None),
    (F("BooleanField"), None), (F("DateField"), None), (F("ChoiceField", choices=CH), None),
]:
    s = dict(spec, options=dict(spec["options"]))
    if widget:
        s["options"]["widget"] = widget
        o = dict(spec["options"], widget=getattr(forms, widget))
        field = build(dict(spec, options={k: v for k, v in o.items() if k != "widget"}))
        field = getattr(forms, spec["type"])(**{snake(k): v for k, v in o.items()})
    else:
        field = build(spec)
    attrs.append({"spec": s, "attrs": {k: str(v) if not isinstance(v, bool) else v for k, v in field.widget.attrs.items()},
                  "widget": type(field.widget).__name__})

out = {"clean": cases, "json": json_cases, "hasChanged": changed, "widgetAttrs": attrs}
path = os.path.join(os.path.dirname(__file__), "fields.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1, ensure_ascii=False, allow_nan=False)
print(f"{len(cases)} clean, {len(json_cases)} json, {len(changed)} hasChanged, {len(attrs)} widgetAttrs → {path}")
