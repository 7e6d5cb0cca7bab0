"""Field declarations the models repeat."""

from __future__ import annotations

from django.db import models


def optional_fk(to, on_delete, **options) -> models.ForeignKey:
    """A foreign key a row may be without: NULL in the database, left blank in forms."""
    return models.ForeignKey(to, on_delete=on_delete, null=True, blank=True, **options)
