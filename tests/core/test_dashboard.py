from django.test import RequestFactory

from core import dashboard


def test_cards_render_in_order_and_hide_on_none():
    registry: list[dashboard.Card] = []

    @dashboard._register(registry, 20, "b.html")
    def second(request):
        return {"n": 2}

    @dashboard._register(registry, 10, "a.html")
    def first(request):
        return {"n": 1}

    @dashboard._register(registry, 30, "c.html")
    def hidden(request):
        return None

    dashboard._register(registry, 10, "a.html")(first)  # registering twice keeps one card

    request = RequestFactory().get("/")
    assert dashboard.render_cards(registry, request) == [
        {"template": "a.html", "context": {"n": 1}},
        {"template": "b.html", "context": {"n": 2}},
    ]
