"""The Django side of bench/import: the same import as the bookshop's import_csv.

Rows streamed with the csv module, each validated by full_clean() (field validation; the
ISBN checked against the file and, per batch, the table; constraints left to the
database, as import_csv does), bulk_create() in batches, all in one transaction that any
bad row rolls back.
"""
import csv
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookimport.models import Book, Publisher

FIELDS = {"isbn": "isbn", "title": "title", "price": "price", "published_date": "published_date", "rating": "rating", "pages": "pages"}


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Imports books from a CSV file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options):
        errors = []
        try:
            with transaction.atomic():
                self.import_rows(options["file"], options["batch_size"], errors)
                if errors:
                    raise Rollback()
        except Rollback:
            raise CommandError(f"Nothing was imported: {len(errors)} errors.\n" + "\n".join(errors[:50]))

    def import_rows(self, path, batch_size, errors):
        publishers = dict(Publisher.objects.values_list("name", "id"))
        seen = {}
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            while batch := list(islice(reader, batch_size)):
                books = []
                for row in batch:
                    line = reader.line_num
                    book = Book(publisher_id=publishers.get(row["publisher"]), **{field: row[column] for column, field in FIELDS.items()})
                    try:
                        book.full_clean(exclude=["publisher"], validate_unique=False, validate_constraints=False)
                    except ValidationError as error:
                        errors.extend(f"line {line}, column {field}: {messages}" for field, messages in error.message_dict.items())
                        continue
                    if book.isbn in seen:
                        errors.append(f"line {line}: ISBN already on line {seen[book.isbn]}")
                        continue
                    seen[book.isbn] = line
                    books.append(book)
                existing = set(Book.objects.filter(isbn__in=[b.isbn for b in books]).values_list("isbn", flat=True))
                errors.extend(f"ISBN {b.isbn} already exists" for b in books if b.isbn in existing)
                Book.objects.bulk_create([b for b in books if b.isbn not in existing], batch_size=batch_size)
