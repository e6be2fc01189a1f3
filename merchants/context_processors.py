from .models import Notice


def notices(request):
    """The unread notice count for the header of back-office pages (one query; only there)."""
    merchant = getattr(request, "merchant", None)
    if merchant is None:
        return {}
    return {"unread_notices": Notice.objects.filter(merchant=merchant, read_at__isnull=True).count()}
