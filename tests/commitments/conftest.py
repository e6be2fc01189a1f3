import pytest

from .factories import fund, hold, product_of


@pytest.fixture
def shop(merchant_a):
    """merchant_a (large appliances) holding ship_24h, free_shipping and delivery_install, deposit funded."""
    for code in ("ship_24h", "free_shipping", "delivery_install"):
        hold(merchant_a, code)
    fund(merchant_a)
    return merchant_a


@pytest.fixture
def product(shop):
    return product_of(shop)


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source strings; the site defaults to zh-hans."""
    settings.LANGUAGE_CODE = "en"
