"""Publishing each organization's consumption page in the support center (Help Center).

One article per organization, readable only through a user segment of that
organization, in a section the worker creates once. The state remembers each
page's segment, article and the digest of what was published, so an unchanged
page costs no request; after a lost state, the segment is found again by its
organization and the article by its label, and is rewritten only if it differs.
A help center that refuses (Guide not enabled, no permission) is logged and left
alone for an hour; it never stops a cycle.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import structlog

from zendesk_sla.core.consumption import Page, PageTexts
from zendesk_sla.store import StateStore
from zendesk_sla.zendesk.errors import Rejected, ZendeskError
from zendesk_sla.zendesk.gateway import ZendeskGateway

log = structlog.get_logger("zendesk_sla.account.consumption_page")
PLACE = "hc:place"
HELP_CENTER_FAILED = "hc:failed"  # "<at> <what Zendesk answered>" while writes are refused
HC = "help_center"


def _digest(page: Page) -> str:
    text = f"{page.segment_name}\n{page.title}\n{page.body}\n{json.dumps(page.access)}"
    return hashlib.sha256(text.encode()).hexdigest()


class Publisher:
    def __init__(
        self,
        gateway: ZendeskGateway,
        store: StateStore,
        texts: PageTexts | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self.store = store
        self.texts = texts
        self.clock = clock
        self._segments: list[dict[str, Any]] | None = None  # listed once, after a lost state
        self._resting_until = 0.0  # after a refusal: not every poll asks again

    def publish(self, pages: Iterable[Page]) -> int:
        """Bring each page up to date; the number of pages written."""
        if self.texts is None or self.clock() < self._resting_until:
            return 0
        written = 0
        self._segments = None
        try:
            place = self._place(self.texts)
            for page in pages:
                written += self._one(page, place)
        except ZendeskError as exc:
            log.warning("help_center_unavailable", error=str(exc)[:300], retry_in_seconds=3600)
            self._resting_until = self.clock() + 3600
            with self.store.transaction():
                self.store.put(HELP_CENTER_FAILED, f"{int(time.time())} {str(exc)[:300]}")
            return written
        if self.store.get(HELP_CENTER_FAILED):
            with self.store.transaction():
                self.store.put(HELP_CENTER_FAILED, "")
        return written

    def _place(self, texts: PageTexts) -> dict[str, Any]:
        """The section and permission group the pages live in: found or created once."""
        known = json.loads(self.store.get(PLACE) or "null")
        if (
            known
            and known.get("locale") == texts.locale
            and known.get("section_name") == (texts.section)
        ):
            return dict(known)
        gw, locale = self.gateway, texts.locale
        categories = gw.list_records(f"{HC}/{locale}/categories", "categories")
        category = next((c for c in categories if c.get("name") == texts.category), None)
        if category is None:
            category = gw.create_record(
                f"{HC}/{locale}/categories", "category", {"name": texts.category}
            )
        sections = gw.list_records(f"{HC}/{locale}/sections", "sections")
        section = next(
            (
                s
                for s in sections
                if s.get("name") == texts.section and s.get("category_id") == category["id"]
            ),
            None,
        )
        if section is None:
            section = gw.create_record(
                f"{HC}/{locale}/categories/{category['id']}/sections",
                "section",
                {"name": texts.section, "locale": locale},
            )
        groups = gw.list_records("guide/permission_groups", "permission_groups")
        if not groups:
            raise ZendeskError("help center: no permission group to publish with")
        group = next((g for g in groups if g.get("built_in")), groups[0])
        place = {
            "locale": locale,
            "section_name": texts.section,
            "section": int(section["id"]),
            "permission_group": int(group["id"]),
        }
        with self.store.transaction():
            self.store.put(PLACE, json.dumps(place))
        return place

    def stale(self, pages: Iterable[Page]) -> list[Page]:
        """The pages `publish` would write (new, or reading otherwise): reads the state only."""
        if self.texts is None:
            return []
        out = []
        for page in pages:
            if self._record(page).get("digest") != _digest(page):
                out.append(page)
        return out

    def _one(self, page: Page, place: dict[str, Any]) -> int:
        key = f"hc:page:{page.organization_id}"
        record = self._record(page)
        digest = _digest(page)
        if record.get("digest") == digest:
            return 0
        gw, locale = self.gateway, place["locale"]
        segment = record.get("segment") or self._find_segment(page)
        segment_spec = {"name": page.segment_name, **page.access}
        if segment is None:
            created = gw.create_record(f"{HC}/user_segments", "user_segment", segment_spec)
            segment = int(created["id"])
        elif record.get("access") != page.access:  # its contacts changed (or an older one)
            gw.update_record(f"{HC}/user_segments/{segment}", "user_segment", segment_spec)
        article = record.get("article")
        found = None
        if article is None:
            found = self._find_article(page)
            article = int(found["id"]) if found else None
        wrote = 0
        if article is None:
            spec: dict[str, Any] = {
                "title": page.title,
                "body": page.body,
                "locale": locale,
                "user_segment_id": segment,
                "permission_group_id": place["permission_group"],
                "label_names": [page.label],
            }
            path = f"{HC}/{locale}/sections/{place['section']}/articles"
            article = int(gw.create_record(path, "article", spec, notify_subscribers=False)["id"])
            wrote = 1
        elif found is None or (found.get("title"), found.get("body")) != (page.title, page.body):
            path = f"{HC}/articles/{article}/translations/{locale}"
            gw.update_record(path, "translation", {"title": page.title, "body": page.body})
            wrote = 1
        wrote += self._translate(article, page, set(record.get("translated") or ()))
        with self.store.transaction():
            record = {"segment": segment, "article": article, "digest": digest}
            translated = [locale for locale, _, _ in page.translations]
            self.store.put(
                key, json.dumps({**record, "access": page.access, "translated": translated})
            )
        return wrote

    def _record(self, page: Page) -> dict[str, Any]:
        """What the state remembers of the page: segment, article, digest, access."""
        return json.loads(self.store.get(f"hc:page:{page.organization_id}") or "null") or {}

    def _translate(self, article: int, page: Page, known: set[str]) -> int:
        """Write the page's other languages as translations of its article: created the
        first time (rewritten when a lost state finds one there), rewritten after."""
        for locale, title, body in page.translations:
            spec = {"locale": locale, "title": title, "body": body}
            path = f"{HC}/articles/{article}/translations"
            if locale not in known:
                try:
                    self.gateway.create_record(path, "translation", spec)
                    continue
                except Rejected:  # it exists: a state lost since it was made
                    pass
            self.gateway.update_record(f"{path}/{locale}", "translation", spec)
        return len(page.translations)

    def _find_segment(self, page: Page) -> int | None:
        if self._segments is None:
            self._segments = self.gateway.list_records(f"{HC}/user_segments", "user_segments")
        for segment in self._segments:
            if segment.get("organization_ids") == [page.organization_id] and not segment.get(
                "built_in"
            ):
                return int(segment["id"])
        return None

    def _find_article(self, page: Page) -> dict[str, Any] | None:
        params = {"label_names": page.label}
        found = self.gateway.find_records(f"{HC}/articles", "articles", params)
        return next((a for a in found if page.label in (a.get("label_names") or [])), None)
