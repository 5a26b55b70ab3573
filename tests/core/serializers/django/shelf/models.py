"""Django twin of tests/core/serializers/project/shelf/models.ts: same app label, fields,
field names (camelCase, with Nuages's snake_case columns), tables and natural keys.

Classes are defined in alphabetical order, the order Nuages registers an app's models.
"""
import uuid

from django.conf import settings
from django.db import models


class NaturalNameManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    bio = models.TextField(blank=True)
    born = models.DateField(null=True)
    mentor = models.ForeignKey("self", models.SET_NULL, null=True, related_name="mentees")

    objects = NaturalNameManager()

    def natural_key(self):
        return (self.name,)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, models.CASCADE, related_name="books")
    editor = models.ForeignKey(Author, models.SET_NULL, null=True, related_name="edited")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published = models.DateTimeField()
    inPrint = models.BooleanField(default=True, db_column="in_print")
    rating = models.FloatField(null=True)
    readingTime = models.DurationField(null=True, db_column="reading_time")
    opensAt = models.TimeField(null=True, db_column="opens_at")
    code = models.UUIDField(unique=True, default=uuid.uuid4)
    extra = models.JSONField(null=True)
    cover = models.BinaryField(null=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True)
    tags = models.ManyToManyField("Tag", blank=True)
    readers = models.ManyToManyField("auth.Group", blank=True)
    members = models.ManyToManyField("Member", through="Loan", blank=True)


class IssueManager(models.Manager):
    def get_by_natural_key(self, series, number):
        return self.get(series__name=series, number=number)


class Issue(models.Model):
    series = models.ForeignKey("Series", models.CASCADE)
    number = models.IntegerField()
    title = models.CharField(max_length=100)

    objects = IssueManager()

    class Meta:
        unique_together = [("series", "number")]

    def natural_key(self):
        return (*self.series.natural_key(), self.number)

    natural_key.dependencies = ["shelf.series"]


class Loan(models.Model):
    book = models.ForeignKey(Book, models.CASCADE)
    member = models.ForeignKey("Member", models.CASCADE)
    since = models.DateField()


class CurrentMemberManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(archived=False)


class Member(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=100)
    archived = models.BooleanField(default=False)

    objects = CurrentMemberManager()


class Series(models.Model):
    name = models.CharField(max_length=100, unique=True)

    objects = NaturalNameManager()

    def natural_key(self):
        return (self.name,)


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    objects = NaturalNameManager()

    def natural_key(self):
        return (self.name,)
