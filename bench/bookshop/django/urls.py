"""The bench's URLconf: the bookshop's URL names, so the shared header's {% url %} tags resolve.

Only /books/ and /api/books/ are measured; the other names are there for reversing and
answer 404 (not_in_bench).
"""
from django.urls import include, path

from catalog import views

catalog_patterns = (
    [
        path("", views.not_in_bench, name="home"),
        path("books/", views.book_list, name="book-list"),
        path("books/<int:id>/", views.not_in_bench, name="book-detail"),
        path("authors/", views.not_in_bench, name="author-list"),
        path("api/books/", views.api_books, name="api-books"),
        path("products/", views.not_in_bench, name="product-list"),
        path("contact/", views.not_in_bench, name="contact"),
    ],
    "catalog",
)
orders_patterns = (
    [
        path("cart/", views.not_in_bench, name="cart"),
        path("orders/", views.not_in_bench, name="order-list"),
    ],
    "orders",
)

urlpatterns = [
    path("", include(catalog_patterns)),
    path("", include(orders_patterns)),
    path("accounts/login/", views.not_in_bench, name="login"),
    path("accounts/logout/", views.not_in_bench, name="logout"),
    path("accounts/register/", views.not_in_bench, name="register"),
    path("staff/", views.not_in_bench, name="staff"),
]
