from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page numbers; a page that is not a positive integer is a 400, a page beyond the last a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        number = raw is not None and raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**9
        if raw is not None and raw not in self.last_page_strings and not number:
            raise ValidationError({self.page_query_param: ["a page number from 1"]})
        return super().paginate_queryset(queryset, request, view)
