"""One page of a long list: every list page of the portal shows at most PAGE_SIZE rows, so no page
grows with the size of a cycle. The links keep the page's other query parameters (filters, sort)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


@dataclass
class PageLinks:
    """A page and what its links need: the query parameter that selects it and the other parameters."""

    page: Page
    param: str
    query: str  # the request's other parameters, urlencoded (without `param`)
    anchor: str = ""  # a fragment the links jump to (a section of a page with several lists)

    def __iter__(self):
        return iter(self.page.object_list)

    def __len__(self) -> int:
        return len(self.page.object_list)

    def href(self, number: int) -> str:
        fragment = f"#{self.anchor}" if self.anchor else ""
        return f"?{self.query}{'&' if self.query else ''}{self.param}={number}{fragment}"

    @property
    def first_href(self) -> str:
        return self.href(1)

    @property
    def last_href(self) -> str:
        return self.href(self.page.paginator.num_pages)

    @property
    def previous_href(self) -> str:
        return self.href(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_href(self) -> str:
        return self.href(self.page.next_page_number()) if self.page.has_next() else ""


def paginate(request, object_list, *, param: str = "page", per_page: int | None = None, anchor: str = "") -> PageLinks:
    """The page of `object_list` (a queryset, sliced in SQL, or a list) that `?<param>=` asks for;
    page 1 for anything that is not a page number, the last page for a number beyond it."""
    page = Paginator(object_list, per_page or PAGE_SIZE).get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    return PageLinks(page=page, param=param, query=params.urlencode(), anchor=anchor)
