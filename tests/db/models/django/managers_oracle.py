"""Django 5.2's answers for relations.test.ts and related-managers.test.ts:
self and symmetrical many-to-many, through models, m2m_changed, delete counts.

Same schema as the models those tests define (app 'defs'), in an in-memory
SQLite database. Re-run with:

    .venv-django/bin/python tests/db/models/django/managers_oracle.py
"""
import json
import pathlib
import sys
import types

import django
from django.conf import settings

defs_app = types.ModuleType("defs")
defs_app.__path__ = [str(pathlib.Path(__file__).parent)]
sys.modules["defs"] = defs_app
settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["defs"],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
)
django.setup()

from django.db import connection, models  # noqa: E402
from django.db.models.signals import m2m_changed  # noqa: E402


def meta(**extra):
    return type("Meta", (), {"app_label": "defs", **extra})


class Person(models.Model):
    name = models.CharField(max_length=50)
    friends = models.ManyToManyField("self")
    following = models.ManyToManyField("self", symmetrical=False, related_name="followers")
    mentor = models.ForeignKey("self", models.SET_NULL, null=True, related_name="mentees")
    Meta = meta()


class Club(models.Model):
    name = models.CharField(max_length=50)
    members = models.ManyToManyField(Person, through="Membership", related_name="clubs")
    Meta = meta()


class Membership(models.Model):
    person = models.ForeignKey(Person, models.CASCADE)
    club = models.ForeignKey(Club, models.CASCADE)
    role = models.CharField(max_length=20, default="member")
    Meta = meta()


class Tag(models.Model):
    name = models.CharField(max_length=50)
    Meta = meta()


class Post(models.Model):
    title = models.CharField(max_length=50)
    tags = models.ManyToManyField("Tag", related_name="posts", related_query_name="post")
    Meta = meta()


with connection.schema_editor() as editor:
    for model in [Person, Club, Membership, Tag, Post]:
        editor.create_model(model)

out = {}
log = []


def record(sender, action, instance, reverse, model, pk_set, using, **kwargs):
    log.append([action, type(instance).__name__, instance.pk, reverse, model.__name__, sorted(pk_set) if pk_set is not None else None])


m2m_changed.connect(record)

ann, bob, cid, dee = (Person.objects.create(name=n) for n in ["Ann", "Bob", "Cid", "Dee"])
out["tables"] = {
    "friends": Person.friends.through._meta.db_table,
    "friends_columns": [f.column for f in Person.friends.through._meta.local_fields],
    "following": Person.following.through._meta.db_table,
    "tags": Post.tags.through._meta.db_table,
}

log.clear()
ann.friends.add(bob, cid)
out["symmetrical_add_log"] = list(log)
out["bob_friends"] = list(bob.friends.order_by("pk").values_list("pk", flat=True))
out["friend_rows"] = Person.friends.through.objects.count()
log.clear()
bob.friends.remove(ann)
out["symmetrical_remove_log"] = list(log)
out["ann_friends_after_remove"] = list(ann.friends.values_list("pk", flat=True))
ann.following.add(bob)
out["bob_followers"] = list(bob.followers.values_list("pk", flat=True))
out["ann_followers"] = list(ann.followers.values_list("pk", flat=True))
out["friends_filter"] = list(Person.objects.filter(friends__name="Ann").order_by("pk").values_list("pk", flat=True))
dee.mentor = ann
dee.save()
out["mentees"] = list(ann.mentees.values_list("pk", flat=True))
dee.friends.add(ann)
log.clear()
out["delete_ann"] = list(ann.delete())

# Many-to-many changes and their signals.
t1, t2, t3, t4 = (Tag.objects.create(name=n) for n in ["a", "b", "c", "d"])
post = Post.objects.create(title="p")
log.clear()
post.tags.add(t1, t2)
post.tags.add(t1, t3)
post.tags.remove(t1, t4)
post.tags.set([t3, t4])
post.tags.set([t1], clear=True)
post.tags.clear()
t2.posts.add(post)
t2.posts.remove(post)
post.tags.create(name="e")
out["m2m_log"] = list(log)
out["post_tags_after"] = list(post.tags.values_list("name", flat=True))
out["related_query_name"] = list(Tag.objects.filter(post__title="p").values_list("name", flat=True))

club = Club.objects.create(name="c")
bob = Person.objects.get(name="Bob")
club.members.add(bob, through_defaults={"role": "lead"})
club.members.create(name="Eve", through_defaults={"role": "guest"})
out["memberships"] = list(Membership.objects.order_by("pk").values_list("person__name", "role"))
out["club_members"] = list(club.members.order_by("name").values_list("name", flat=True))
out["bob_clubs"] = list(bob.clubs.values_list("name", flat=True))
out["delete_club"] = list(club.delete())

print(json.dumps({"django": django.get_version(), **out}))
