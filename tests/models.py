"""Models of the test app: subclasses of the user model, as projects define them."""

from django.contrib.auth.models import User
from django.db import models


class ProxyUser(User):
    """A proxy of the user model (``class Customer(User): class Meta: proxy = True``)."""

    class Meta:
        proxy = True
        app_label = "tests"


class ChildUser(User):
    """A multi-table child of the user model: a row of its own beside the user's row."""

    nickname = models.CharField(max_length=30, blank=True)

    class Meta:
        app_label = "tests"
