from scoring import hooks


def test_course_lookup_and_metric_failed_dispatch(monkeypatch):
    monkeypatch.setattr(hooks, "_course_lookups", [])
    monkeypatch.setattr(hooks, "_metric_failed_handlers", [])
    calls = []
    hooks.register_metric_failed(lambda **kw: calls.append(kw))
    link = hooks.CourseLink(code="c1", title="Course", url="/office/courses/c1/")
    hooks.register_course_lookup(lambda code: link if code == "dispatch" else None)

    hooks.metric_failed(merchant_id=7, metric_code="fault_complaint_rate", period="2026-10")

    assert calls == [{"merchant_id": 7, "metric_code": "fault_complaint_rate", "period": "2026-10"}]
    assert hooks.course_for("dispatch") == link
    assert hooks.course_for("logistics") is None
