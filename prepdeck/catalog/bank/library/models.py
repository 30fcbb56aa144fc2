"""Models for the bank's runnable examples: a bookshop with authors, books, editions, reviews, notes and accounts.

No migrations: the test database creates these tables directly (``run_syncdb``), so examples can rely on
them without the product shipping them.
"""

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=2, default="GB")

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(unique=True, null=True, blank=True)
    born = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    publisher = models.ForeignKey(
        Publisher, on_delete=models.SET_NULL, null=True, blank=True, related_name="books"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("10.00"))
    pages = models.PositiveIntegerField(default=100)
    stock = models.IntegerField(default=0)
    published = models.DateField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="library_review_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for book {self.book_id}"


class Account(models.Model):
    owner = models.CharField(max_length=100)
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="library_account_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.owner


class Edition(models.Model):
    """One format of a book. Its Meta options are the ones the examples about Meta exercise (ordering,
    get_latest_by, db_table, a unique and a check constraint, an index), and it is the model with a
    GenericRelation to notes; Book has none, so its deletes and field lists stay as other examples expect."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="editions")
    format = models.CharField(max_length=20)
    released = models.DateField()
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("10.00"))
    notes = GenericRelation("Note", related_query_name="edition")

    class Meta:
        db_table = "library_book_edition"
        ordering = ["-released", "format"]
        get_latest_by = "released"
        verbose_name_plural = "editions of books"
        constraints = [
            models.UniqueConstraint(fields=["book", "format"], name="library_edition_one_per_format"),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="library_edition_price_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["released"], name="library_edition_released_idx")]

    def __str__(self) -> str:
        return f"{self.format} edition of book {self.book_id}"


class Note(models.Model):
    """A note on any object: a GenericForeignKey built from a content type and an object id."""

    # No database foreign key: this app's tables are made (run_syncdb) before contenttypes' migration
    # creates django_content_type, so PostgreSQL could not reference it yet.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_constraint=False)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"], name="library_note_target_idx")]

    def __str__(self) -> str:
        return self.text
