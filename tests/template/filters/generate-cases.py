"""Regenerates cases.json: real Django 5.2 output for awkward inputs to every filter.

Run: /work/main/.venv-django/bin/python tests/template/filters/generate-cases.py
Values use the conformance corpus markers ($safe, $date, $datetime, $decimal).
"""
import datetime, decimal, json, pathlib
import django
from django.conf import settings

settings.configure(USE_TZ=True, TIME_ZONE="UTC", INSTALLED_APPS=[])
django.setup()
from django.template import Context, Engine
from django.utils.safestring import mark_safe

E = Engine(autoescape=True)
HOSTILE = "<script>alert('x')</script> & \"q\""

def val(v):
    if isinstance(v, dict) and len(v) == 1:
        (k, x), = v.items()
        if k == "$safe": return mark_safe(x)
        if k == "$date": return datetime.date.fromisoformat(x)
        if k == "$datetime": return datetime.datetime.fromisoformat(x)
        if k == "$decimal": return decimal.Decimal(x)
    if isinstance(v, dict): return {k: val(x) for k, x in v.items()}
    if isinstance(v, list): return [val(x) for x in v]
    return v

NOARG = object()
cases = []
def add(flt, values, args=(NOARG,), autoescape=(True,)):
    for v in values:
        for a in args:
            for ae in autoescape:
                expr = "v|%s" % flt if a is NOARG else "v|%s:a" % flt
                src = "{{ %s }}" % expr
                if not ae: src = "{% autoescape off %}" + src + "{% endautoescape %}"
                ctx = {"v": val(v)}
                if a is not NOARG: ctx["a"] = val(a)
                try:
                    out = E.from_string(src).render(Context(ctx))
                except Exception as e:
                    out = None
                case = {"template": src, "context": {"v": v}, "expected": out}
                if a is not NOARG: case["context"]["a"] = a
                cases.append(case)

S = ["", "abc", "Hello World", "  spaced  out  ", "ünïcödé straße", "it's 1st o'clock", HOSTILE, {"$safe": "<b>bold</b> & co"}, "😀 emoji 😀x", "a\nb\r\nc\n\nd"]
N = [0, 1, -1, 7, 1.5, -0.5, 2.675, 1e16, 1e-7, 123456789, {"$decimal": "12.50"}, {"$decimal": "-0.005"}, {"$decimal": "1E+3"}, None, "", "12", " 7 ", "1_000", "abc", "1.5", True, False, [1, 2], "inf", "nan"]

add("add", N + ["x"], [1, "2", "-3", 1.5, "a", [3], {"$decimal": "0.5"}, None])
add("addslashes", S + ['a"b\\c'])
add("capfirst", S + ["ßx", "éa"])
add("center", S, [9, "12", 2])
add("cut", S, [" ", "l", ";", "&"])
add("date", [{"$datetime": "2024-01-05T15:04:05+00:00"}, {"$date": "2024-02-29"}, None, "", "abc", 5], ["", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "D, d M Y", "c", "\\Y\\e\\s"])
add("default", N + S, ["dflt", HOSTILE])
add("default_if_none", N, ["dflt"])
add("dictsort", [[{"k": 2, "n": "b"}, {"k": 1, "n": "a"}, {"k": 3, "n": "c"}], [{"k": 1}, {"k": "a"}], [{"a": {"b": 2}}, {"a": {"b": 1}}], [[3, "x"], [1, "y"]], "abc", None, [{"k": None}, {"k": 1}]], ["k", "n", "a.b", 0, "0", "_k", "missing"])
add("dictsortreversed", [[{"k": 2}, {"k": 1}, {"k": 2, "x": 1}, {"k": 3}]], ["k"])
add("divisibleby", [21, "21", 10, 0, 1.5, -9], [3, "7", 2])
add("escape", S)
add("escapejs", S + ["</script>", "a=b;c-d`e", "\u2028\x01"])
add("filesizeformat", [0, 1, 1023, 1024, 1536, 10**6, 10**9, 10**12, 10**15, 10**18, -2048, "1024", "abc", None, 1.5, 52428.8])
add("first", [[1, 2], [], "abc", "", [HOSTILE]])
add("last", [[1, 2], [], "abc", "", [HOSTILE]])
add("floatformat", N + ["1.005", "34.23234", "34.00000", "34.26000", "-0.0", "1e400", "0.000001"], [NOARG, 0, 1, 2, -2, "3", "-3", "2g", "g", "-2u", "0gu", "x", "", 30])
add("force_escape", S)
add("get_digit", [123456789, "987", -123, 0, "x", 1.9], [1, 3, 10, 0, "a"])
add("iriencode", ["/I ♥ Django/?q=a b&c=ü", HOSTILE])
add("join", [["a", "b"], [HOSTILE, {"$safe": "<i>"}], "abc", 5, [1, None, True], []], [", ", "<br>", {"$safe": "<br>"}], autoescape=(True, False))
add("json_script", ["text", HOSTILE, {"a": [1, 2.5, None, True], "ü": "é"}, {"$decimal": "12.50"}, {"$date": "2024-01-05"}, {"$datetime": "2024-01-05T15:04:05+00:00"}, [1e16, 1.5, -0.0]], [NOARG, "my-id", "<id>", ""])
add("length", S + [[1, 2, 3], {"a": 1}, None, 5, []])
add("linebreaks", S, autoescape=(True, False))
add("linebreaksbr", S, autoescape=(True, False))
add("linenumbers", ["one\ntwo\nthree", "\n".join("l%d" % i for i in range(12)), HOSTILE, {"$safe": "<b>\n<i>"}], autoescape=(True, False))
add("ljust", S, [12, 2])
add("rjust", S, [12, 2])
add("lower", S + ["İSTANBUL", "ΣΑΣ"])
add("upper", S + ["straße", "ﬁx"])
add("make_list", ["abc", 123, "😀é", HOSTILE])
add("phone2numeric", ["1-800-COLLECT", HOSTILE])
add("pluralize", [0, 1, 2, 1.0, "1", "2", "x", [1], [], {"a": 1}, None, {"$decimal": "1.0"}], [NOARG, "es", "y,ies", "a,b,c"])
add("pprint", ["x", [1, "a", None], {"k": [1, 2]}, list(range(40)), {"key%02d" % i: "value %d" % i for i in range(8)}, "word " * 30])
add("safe", [HOSTILE])
add("safeseq", [[HOSTILE, "b"]])
add("escapeseq", [[HOSTILE, {"$safe": "<i>"}, 1]])
add("slice", [[1, 2, 3, 4, 5], "abcdef", "😀ab", 123, None], [":2", "1:", "-2:", "::2", "::-1", "1:4:2", "x", "::0", "1:2:3:4", "", "-100:100", ":-1"])
add("slugify", S + [" Joel is a slug ", "__a--b__", "Ærøskøbing", "a\u00a0b"])
add("stringformat", [5, -5, 1.5, 255, "s", [1], {"k": "v"}, True, None, {"$decimal": "2.5"}, 0.125, 1e20, 2.5e-5], ["s", "d", "05d", "+d", "x", "#x", "o", "e", "10.3f", "-8s|", ".2f", "g", ".3g", "G", "r", "%", "(k)s", "s%s", "c", "5.1s"])
add("striptags", S + ["<p>a <b>b</b></p>", "<<b>b>x", "a < b > c", "<!-- c -->x<br/>y", "&amp; &lt;b&gt;", "<script>x</script>y", "<a href='x'>t</a", "x &#; <b>y</b>"])
add("time", [{"$datetime": "2024-01-05T00:00:00+00:00"}, {"$datetime": "2024-01-05T12:30:00+00:00"}, {"$date": "2024-01-05"}, None, "x"], [NOARG, "H:i", "P", "Y"])
add("timesince", [{"$datetime": "2024-01-01T00:00:00+00:00"}, {"$date": "2023-01-31"}, None, ""], [{"$datetime": "2024-03-15T10:20:00+00:00"}, {"$datetime": "2023-12-31T23:59:00+00:00"}, {"$date": "2024-03-01"}, {"$datetime": "2024-01-01T00:00:59+00:00"}])
add("timeuntil", [{"$datetime": "2025-02-28T00:00:00+00:00"}, {"$datetime": "2024-01-01T00:00:00+00:00"}], [{"$datetime": "2024-01-31T12:00:00+00:00"}, {"$datetime": "2024-01-01T00:00:00+00:00"}])
add("title", S + ["they're bob's 1st", "hello-world x2y", "ΣΑΣ σας", "ǆemal"])
add("truncatechars", S + ["é" * 20, "e\u0301" * 10], [0, 1, 3, 5, 100, "x"])
add("truncatechars_html", ["<p>Hello <b>world</b> and more</p>", "<p>x&amp;y long text here</p>", HOSTILE, "<br>abc<img src=x>defgh", "a <b>b", "<p>unclosed <i>text here"], [0, 4, 7, 100, "x"])
add("truncatewords", S + ["one two three four"], [0, 1, 2, 100, "x"])
add("truncatewords_html", ["<p>one <b>two three</b> four</p>", "<p>one two\nthree</p>", HOSTILE, "one <br/> two three"], [1, 2, 3, 100])
add("unordered_list", [["a", ["b", ["c"]], "d"], [HOSTILE, [{"$safe": "<i>"}]], [["x"]], "ab", []], autoescape=(True, False))
add("urlencode", ["a b/c?d=e&f", "ü", HOSTILE], [NOARG, "", "/?"])
add("urlize", ["visit www.example.com now", "see http://example.com/a?b=c&d=e.", "(http://example.com/x)", "mail me@example.com!", "example.org, x", "https://a.b/'quoted'", HOSTILE, {"$safe": "go to <b>http://x.com</b>"}, "foo.bar@baz", "http://example.com/&amp;a&lt;", "[www.x.com]", "http://[::1]/", "https://例え.jp/パス"], autoescape=(True, False))
add("urlizetrunc", ["http://example.com/very/long/path/here", "www.example.com"], [10, 1, 0])
add("wordcount", S + ["a\u00a0b c\u3000d"])
add("wordwrap", ["Joel is a slug who wraps lines", "averyveryverylongword and short", "a\n\nb c d e f", "tab\there x y z", "ends with newline\n", "  lead space"], [5, 10, 1])
add("yesno", [True, False, None, 0, 1, "", "x", []], [NOARG, "y,n", "y,n,m", "one", "a,b,c,d"])
add("random", [["only"], [], "z"])

out = pathlib.Path(__file__).with_name("cases.json")
out.write_text(json.dumps(cases, ensure_ascii=False, indent=0) + "\n")
print(len(cases), "cases")
