"""core.locks.lock_one: the row locked, or NotFound naming what is missing."""

import pytest
from django.db import transaction

from core.errors import NotFound
from core.locks import lock_one
from merchants.models import Merchant

pytestmark = pytest.mark.django_db


def test_the_row_is_returned_from_a_model_or_a_queryset(merchant_a):
    with transaction.atomic():
        assert lock_one(Merchant, pk=merchant_a.pk, missing="No such merchant.") == merchant_a
        row = lock_one(Merchant.objects.select_related("main_category"), pk=merchant_a.pk, missing="x")
        assert (row.pk, row.main_category.code) == (merchant_a.pk, merchant_a.main_category.code)


def test_a_missing_row_is_not_found_with_the_callers_message(db):
    with transaction.atomic(), pytest.raises(NotFound) as caught:
        lock_one(Merchant, pk=987654, missing="No such merchant.")
    assert (caught.value.message, caught.value.status_code) == ("No such merchant.", 404)
