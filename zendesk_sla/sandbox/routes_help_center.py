"""Help Center routes: user segments, permission groups, categories, sections, articles and
their translations. End users may only read articles, and only those their segment admits."""

from __future__ import annotations

from typing import Any

from zendesk_sla.sandbox.errors import ApiError, not_found
from zendesk_sla.sandbox.help_center import HelpCenter
from zendesk_sla.sandbox.model import Json
from zendesk_sla.sandbox.routing import Reply, Routes, json_reply, paged

LOCALE = r"([a-z]{2}(?:-[a-z]{2})?)"
FORBIDDEN = ApiError(
    403,
    {
        "error": "Forbidden",
        "description": "You do not have access to this page. Please contact the account "
        "owner of this help desk for further help.",
    },
)


class HelpCenterRoutes(Routes):
    help_center: HelpCenter
    caller: Any  # the authenticated sandbox User of the request being served

    def add_help_center_routes(self) -> None:
        hc = "help_center"
        self._route("GET", rf"{hc}/user_segments", self.hc_segments)
        self._route("POST", rf"{hc}/user_segments", self.hc_create_segment)
        self._route("PUT", rf"{hc}/user_segments/(\d+)", self.hc_update_segment)
        self._route("GET", r"guide/permission_groups", self.hc_permission_groups)
        self._route("GET", rf"{hc}/{LOCALE}/categories", self.hc_categories)
        self._route("POST", rf"{hc}/{LOCALE}/categories", self.hc_create_category)
        self._route("GET", rf"{hc}/{LOCALE}/sections", self.hc_sections)
        self._route("POST", rf"{hc}/{LOCALE}/categories/(\d+)/sections", self.hc_create_section)
        self._route("POST", rf"{hc}/{LOCALE}/sections/(\d+)/articles", self.hc_create_article)
        self._route("GET", rf"{hc}/articles", self.hc_articles)
        self._route("GET", rf"{hc}/articles/(\d+)", self.hc_article)
        self._route("GET", rf"{hc}/{LOCALE}/articles/(\d+)", self.hc_localized_article)
        self._route(
            "PUT", rf"{hc}/articles/(\d+)/translations/{LOCALE}", self.hc_update_translation
        )
        self._route("POST", rf"{hc}/articles/(\d+)/translations", self.hc_create_translation)

    def _staff(self) -> None:
        if self.caller is None or self.caller.role not in ("agent", "admin"):
            raise FORBIDDEN

    def _list(self, key: str, items: list[Json], query: dict[str, str], path: str) -> Reply:
        url = f"{self.base_url}/api/v2/help_center/{path}.json"
        return paged(key, items, query, url, help_center=True)

    def hc_segments(self, query: dict[str, str], _b: Json) -> Reply:
        self._staff()
        items = [s.to_json(self.base_url) for s in self.help_center.segments.values()]
        return self._list("user_segments", items, query, "user_segments")

    def hc_create_segment(self, _q: dict[str, str], body: Json) -> Reply:
        self._staff()
        seg = self.help_center.create_segment(body.get("user_segment"), self.account.now())
        return json_reply(201, {"user_segment": seg.to_json(self.base_url)})

    def hc_update_segment(self, _q: dict[str, str], body: Json, segment_id: str) -> Reply:
        self._staff()
        seg = self.help_center.update_segment(int(segment_id), body.get("user_segment"))
        return json_reply(200, {"user_segment": seg.to_json(self.base_url)})

    def hc_permission_groups(self, query: dict[str, str], _b: Json) -> Reply:
        self._staff()
        items = list(self.help_center.permission_groups.values())
        url = f"{self.base_url}/api/v2/guide/permission_groups.json"
        return paged("permission_groups", items, query, url, help_center=True)

    def hc_categories(self, query: dict[str, str], _b: Json, locale: str) -> Reply:
        items = [c for c in self.help_center.categories.values() if c["locale"] == locale]
        return self._list("categories", items, query, f"{locale}/categories")

    def hc_create_category(self, _q: dict[str, str], body: Json, locale: str) -> Reply:
        self._staff()
        category = self.help_center.create_category(body.get("category"), locale, self._now())
        return json_reply(201, {"category": category})

    def hc_sections(self, query: dict[str, str], _b: Json, locale: str) -> Reply:
        items = [s for s in self.help_center.sections.values() if s["locale"] == locale]
        return self._list("sections", items, query, f"{locale}/sections")

    def hc_create_section(self, _q: dict[str, str], body: Json, locale: str, cid: str) -> Reply:
        self._staff()
        section = self.help_center.create_section(
            int(cid), body.get("section"), locale, self._now()
        )
        return json_reply(201, {"section": section})

    def hc_create_article(self, _q: dict[str, str], body: Json, locale: str, sid: str) -> Reply:
        self._staff()
        article = self.help_center.create_article(
            int(sid), body.get("article"), locale, self.caller.id, self._now()
        )
        return json_reply(201, {"article": article.to_json(self.base_url)})

    def hc_articles(self, query: dict[str, str], _b: Json) -> Reply:
        wanted = {x for x in query.get("label_names", "").split(",") if x}
        items = [
            a.to_json(self.base_url)
            for a in self.help_center.articles.values()
            if self._readable(a) and (not wanted or wanted & set(a.label_names))
        ]
        return self._list("articles", items, query, "articles")

    def hc_article(
        self, _q: dict[str, str], _b: Json, aid: str, locale: str | None = None
    ) -> Reply:
        article = self.help_center.articles.get(int(aid))
        if article is None or not self._readable(article):
            raise not_found()
        return json_reply(200, {"article": article.in_locale(locale, self.base_url)})

    def hc_localized_article(self, q: dict[str, str], b: Json, locale: str, aid: str) -> Reply:
        return self.hc_article(q, b, aid, locale)

    def hc_create_translation(self, _q: dict[str, str], body: Json, aid: str) -> Reply:
        self._staff()
        made = self.help_center.create_translation(int(aid), body.get("translation"), self._now())
        return json_reply(201, {"translation": made})

    def hc_update_translation(self, _q: dict[str, str], body: Json, aid: str, loc: str) -> Reply:
        self._staff()
        translation = self.help_center.update_translation(
            int(aid), loc, body.get("translation"), self._now()
        )
        return json_reply(200, {"translation": translation})

    def _readable(self, article: Any) -> bool:
        user = self.caller
        if user is None:
            return article.user_segment_id is None and not article.draft
        orgs = {user.organization_id} | self.account.memberships.get(user.id, set())
        return self.help_center.may_read(article, user, orgs - {None})

    def _now(self) -> int:
        return self.account.now()
