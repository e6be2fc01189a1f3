"""factory_boy factories shared by every test package. Each app may add its own in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from merchants.models import Brand, Category, DepositAccount, Membership, Merchant, Product


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-1234")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))


def category(code: str = "large_appliances") -> Category:
    """The seeded categories (data migration): large_appliances, small_appliances, digital_3c, accessories_3c."""
    return Category.objects.get(code=code)


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试电器专营店{n}")
    name_en = factory.Sequence(lambda n: f"Test Appliances {n}")
    shop_code = factory.Sequence(lambda n: f"S{n:07d}")
    main_category = factory.LazyFunction(category)

    @factory.post_generation
    def deposit(self, create, extracted, **kwargs):
        DepositAccount.objects.get_or_create(merchant=self, defaults={"balance": Decimal("0.00")})


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)
    role = Membership.Role.OWNER

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        self.user.groups.add(Group.objects.get(name=self.role))


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name_zh",)

    name_zh = factory.Sequence(lambda n: f"品牌{n}")
    name_en = factory.Sequence(lambda n: f"Brand {n}")
    is_large_appliance = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.LazyAttribute(lambda p: p.merchant.main_category)
    brand = factory.SubFactory(BrandFactory)
    title = factory.Sequence(lambda n: f"变频空调 {n} 匹")
    price = Decimal("2999.00")
