"""The bookshop's catalogue models, read from the tables the Nuages migrations create.

managed = False: Django never creates or alters them; the bench migrates with Nuages.
Field names are Django's (snake_case), columns and orderings are the bookshop's.
"""
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        db_table = "catalog_publisher"
        managed = False
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)

    class Meta:
        db_table = "catalog_author"
        managed = False
        ordering = ["name"]

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    rating = models.IntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    published_date = models.DateField()
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="books")
    # The join table is Nuages' catalog_book_authors (book_id, author_id), Django's default shape.
    authors = models.ManyToManyField(Author, related_name="books", db_table="catalog_book_authors")
    cover = models.ImageField(upload_to="covers/", blank=True, null=True)

    class Meta:
        db_table = "catalog_book"
        managed = False
        ordering = ["-published_date", "title"]
