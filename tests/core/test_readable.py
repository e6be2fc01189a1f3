"""core.readable: stored data as labelled fields in the reader's language."""

from django.utils import timezone, translation

from core.readable import readable_pairs, readable_text


def test_booleans_times_and_codes_become_words():
    data = {"to_door": True, "at": "2024-03-06T02:00:00+00:00", "scenario": "urge_dispatch", "demo": True}
    with translation.override("en"), timezone.override("Asia/Shanghai"):  # as on every page
        assert readable_pairs(data, value_labels={"urge_dispatch": "urge dispatch"}) == [
            ("delivered to the door", "yes"),
            ("time", "2024-03-06 10:00"),
            ("scenario", "urge dispatch"),
        ]
    with translation.override("zh-hans"):
        assert readable_text({"to_door": False, "files": 2}) == "送货上门: 否 · 文件数: 2"


def test_anything_but_a_dict_reads_as_nothing():
    assert readable_pairs(None) == []
    assert readable_pairs(["x"]) == []
