"""Configured names follow the reader's language where the office gave an English name."""

from django.utils import translation

from reviews.templatetags.review_tags import award_title


def test_display_names_follow_the_active_language(seeds):
    cycle = seeds["changning-hongqiao-2023"]
    stage = cycle.stages.get(code="selection")
    category = cycle.categories.get()
    assert (cycle.programme.display_name, stage.display_name, category.display_name) == ("长宁区“虹桥友谊奖”", "评选", "长宁区“虹桥友谊奖”")
    with translation.override("en"):
        assert cycle.programme.display_name == 'Changning "Hongqiao Friendship Award"'
        assert stage.display_name == "Selection by the joint review meeting"
        assert category.display_name == "Hongqiao Friendship Award"


def test_award_title_in_both_languages(seeds, make_user):
    from applications.models import Application, PersonProfile

    cycle = seeds["changning-quality-2023"]
    user = make_user()
    person = PersonProfile.objects.create(owner=user, name="王质量", id_type="passport", id_number="E1", nationality="中国")
    application = Application(cycle=cycle, category=cycle.categories.get(code="gold-achievement"), applicant=user, person=person)
    assert award_title(application) == "长宁区政府质量奖（质量金奖先进质量管理成果（个人））"
    with translation.override("en"):
        assert award_title(application) == (
            "Changning District Government Quality Award (Quality Gold Award — Advanced Quality Management Achievement (individual))"
        )
