"""The bookshop's Publisher and Book, as Django models (the fields import_csv writes)."""
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100, unique=True)


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    rating = models.IntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    published_date = models.DateField()
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT)
    cover = models.ImageField(upload_to="covers/", blank=True, null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=0, rating__lte=5), name="book_rating_0_to_5"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="book_price_not_negative"),
        ]
