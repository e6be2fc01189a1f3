"""tags.templatetags.tag_config: a tag configuration as labelled fields, never the stored dict."""

from django.utils import translation

from tags.templatetags.tag_config import config_fields


def test_sf_coverage_by_province_name_and_returns_terms_as_words():
    with translation.override("zh-hans"):
        assert config_fields({"sf_coverage": ["110000", "310000"]}) == [("顺丰覆盖", "2个省份：北京、上海")]
    with translation.override("en"):
        assert config_fields({"returns_terms_accepted": True}) == [
            ("7-day return / 15-day exchange terms", "accepted")
        ]
        assert config_fields({"warranty": {"option": "certified_provider", "provider": "日日顺"}}) == [
            ("Warranty", "platform-certified after-sales provider"),
            ("After-sales provider", "日日顺"),
        ]
        assert config_fields({}) == []
