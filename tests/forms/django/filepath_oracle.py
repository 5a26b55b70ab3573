"""Runs real Django 5.2 on FilePathField cases over a temporary directory; writes filepath.json.

The directory tree (TREE below) is built in a fresh temporary directory; every path in the
output has that directory replaced by "{root}", and tests/forms/file-path-field.test.ts
builds the same tree in its own temporary directory and compares, after putting its path
in place of "{root}": the choices, clean() results and errors, and the rendered HTML of a
form field and of a ModelForm field built from a model FilePathField.
Run: .venv-django/bin/python tests/forms/django/filepath_oracle.py
"""
import json
import os
import shutil
import tempfile

from mf_setup import HERE

import django
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# Paths ending in "/" are folders; "a -> b" is a symbolic link to b (relative to its folder).
TREE = [
    "a.txt", "b.html", "Z.txt", "ünï.txt", "notes.md",
    "__pycache__/", "__pycache__/x.pyc",
    "docs/", "docs/c.txt", "docs/index.html", "docs/sub/", "docs/sub/d.html", "docs/__pycache__/", "docs/__pycache__/y.pyc",
    "empty/", "html/",
    "link-to-docs -> docs", "broken -> nowhere", "link-to-a -> a.txt",
]


def build(root):
    for entry in TREE:
        if " -> " in entry:
            name, target = entry.split(" -> ")
            os.symlink(target, os.path.join(root, name))
        elif entry.endswith("/"):
            os.makedirs(os.path.join(root, entry), exist_ok=True)
        else:
            with open(os.path.join(root, entry), "w") as fh:
                fh.write(entry)


CASES = [
    {"name": "files, default"},
    {"name": "match html", "match": r"\.html$"},
    {"name": "match anywhere in the name", "match": "t"},
    {"name": "folders only", "allow_files": False, "allow_folders": True},
    {"name": "files and folders", "allow_folders": True},
    {"name": "recursive", "recursive": True},
    {"name": "recursive with folders", "recursive": True, "allow_folders": True},
    {"name": "recursive folders matching", "recursive": True, "allow_files": False, "allow_folders": True, "match": "^[a-h]"},
    {"name": "recursive, path with a trailing slash", "recursive": True, "slash": True},
    {"name": "not required", "required": False, "match": r"\.txt$"},
    {"name": "subfolder", "sub": "docs", "allow_folders": True},
    {"name": "recursive over a missing folder", "recursive": True, "sub": "missing"},
]

VALUES = ["{root}/a.txt", "{root}/docs", "{root}/docs/c.txt", "{root}/nope.txt", "a.txt", "", "{root}/../a.txt"]


def run(case, root):
    path = root + "/" + case["sub"] if "sub" in case else root
    if case.get("slash"):
        path += "/"
    kwargs = {k: case[k] for k in ("match", "recursive", "allow_files", "allow_folders", "required") if k in case}
    field = forms.FilePathField(path=path, **kwargs)
    out = {"name": case["name"], "choices": [list(c) for c in field.choices]}
    cleaned = []
    for value in VALUES:
        try:
            cleaned.append({"value": value, "ok": field.clean(value.replace("{root}", root))})
        except ValidationError as error:
            cleaned.append({"value": value, "errors": [{"message": m, "code": e.code} for e, m in zip(error.error_list, error.messages)]})
    out["clean"] = cleaned
    Form = type("PathForm", (forms.Form,), {"doc": field})
    out["html"] = str(Form())
    return out


def main():
    root = tempfile.mkdtemp(prefix="nuages-filepath-")
    try:
        build(root)

        class Document(models.Model):
            page = models.FilePathField(path=lambda: root, match=r"\.(txt|html)$", recursive=True, blank=True, help_text="A page.")
            folder = models.FilePathField(path=root, allow_files=False, allow_folders=True)

            class Meta:
                app_label = "mf"

        results = [run(case, root) for case in CASES]
        Form = type("DocumentForm", (forms.ModelForm,), {"Meta": type("Meta", (), {"model": Document, "fields": "__all__"})})
        model_form = {"html": str(Form()), "max_length": Document._meta.get_field("page").max_length}
        text = json.dumps({"django": django.get_version(), "tree": TREE, "values": VALUES, "cases": CASES, "results": results, "model_form": model_form},
                          indent=1, ensure_ascii=False)
        with open(os.path.join(HERE, "filepath.json"), "w") as fh:
            fh.write(text.replace(root, "{root}") + "\n")
        print(len(results), "cases written")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
