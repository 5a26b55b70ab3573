import pathlib

from django.apps import AppConfig


class ShelfConfig(AppConfig):
    """The app's folder is the Nuages twin's, so both find the same fixtures/ folder."""

    name = "shelf"
    path = str(pathlib.Path(__file__).resolve().parents[2] / "project" / "shelf")
