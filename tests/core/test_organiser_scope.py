import pytest
from django.apps import apps

from core.models import OrganiserScopedMixin

SCOPED_MODELS = [model for model in apps.get_models() if issubclass(model, OrganiserScopedMixin)]


def test_the_pipeline_models_are_organiser_scoped():
    labels = {model._meta.label for model in SCOPED_MODELS}
    assert {"awards.Cycle", "awards.Rubric", "applications.Application", "reviews.Award", "reviews.Objection"} <= labels


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model._meta.label)
def test_activity_organiser_is_the_organiser_the_orm_finds_along_organiser_path(seeds, model):
    # The path is a valid ORM path even for a model without rows in the seeds.
    assert list(model.objects.filter(pk=-1).values_list(model.organiser_path, flat=True)) == []
    for row in model.objects.all()[:5]:
        expected = model.objects.filter(pk=row.pk).values_list(model.organiser_path, flat=True).get()
        organiser = row.activity_organiser
        assert (organiser.pk if organiser is not None else None) == expected


def test_a_rubric_template_belongs_to_no_organiser(seeds):
    from awards.models import Rubric

    template = Rubric.objects.filter(organiser__isnull=True).first()
    assert template is not None
    assert template.activity_organiser is None
