"""Every settings table follows the one pattern (core.models.SingletonSettings)."""

from dataclasses import fields

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import IntegrityError, transaction

from core.admin import SingletonSettingsAdmin
from core.models import SingletonSettings

SETTINGS_MODELS = [model for model in apps.get_models() if issubclass(model, SingletonSettings)]


def test_the_known_settings_tables_use_the_pattern():
    labels = {model._meta.label for model in SETTINGS_MODELS}
    assert {"commitments.CommitmentSettings", "complaints.DeskSettings"} <= labels


@pytest.mark.parametrize("model", SETTINGS_MODELS, ids=lambda m: m._meta.label)
def test_a_settings_table_is_complete(model):
    single_row = [
        c
        for c in model._meta.constraints
        if getattr(c, "condition", None) is not None and str(c.condition) == "(AND: ('id', 1))"
    ]
    assert len(single_row) == 1, "Meta.constraints needs SingletonSettings.single_row_constraint(...)"
    assert model.EDITABLE
    assert [f.name for f in fields(model.Snapshot)] == list(model.EDITABLE)
    assert model.AUDIT_VERB.endswith(".changed")
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, SingletonSettingsAdmin)
    assert model_admin.update_service is not None


@pytest.mark.django_db
@pytest.mark.parametrize("model", SETTINGS_MODELS, ids=lambda m: m._meta.label)
def test_the_database_refuses_a_second_row(model):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(pk=2)
    assert list(model.objects.values_list("pk", flat=True)) == [1]
