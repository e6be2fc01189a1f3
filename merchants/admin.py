from django.contrib import admin

from .models import Brand, Category, DepositAccount, DepositEntry, Membership, Merchant, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "parent", "required_deposit")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("shop_code", "name", "name_en", "main_category", "status")
    list_filter = ("status", "main_category")
    search_fields = ("shop_code", "name", "name_en")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role")
    raw_id_fields = ("user", "merchant")


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "is_large_appliance")
    search_fields = ("name_zh", "name_en")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "merchant", "category", "brand", "price")
    list_filter = ("category",)
    search_fields = ("title",)
    raw_id_fields = ("merchant",)


@admin.register(DepositAccount)
class DepositAccountAdmin(admin.ModelAdmin):
    list_display = ("merchant", "balance", "topup_required_since")
    readonly_fields = ("merchant", "balance", "topup_required_since")
    search_fields = ("merchant__shop_code",)

    def has_add_permission(self, request):
        return False


@admin.register(DepositEntry)
class DepositEntryAdmin(admin.ModelAdmin):
    """Append-only: entries are written by services, shown here read-only."""

    list_display = ("created_at", "account", "kind", "amount", "balance_after", "memo")
    list_filter = ("kind",)
    search_fields = ("account__merchant__shop_code", "source_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
