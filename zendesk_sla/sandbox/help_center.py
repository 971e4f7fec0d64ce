"""The sandbox's Help Center (Guide): user segments, permission groups, categories, sections,
articles and their translations, with who may read what.

Shapes follow the Help Center API reference: a user segment's `user_type`,
`organization_ids`, `tags`, `or_tags`, `added_user_ids` and `built_in`; an article
is created in a section with a mandatory `permission_group_id` and a
`user_segment_id` (null: everyone) and its text changes through its translation.
An end user reads an article only when it is published and its segment admits
them; otherwise the article does not exist for them (404, as the help center
hides restricted content rather than naming it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zendesk_sla.sandbox.errors import ApiError, not_found
from zendesk_sla.sandbox.model import Json, iso


def _bad(field_name: str, description: str) -> ApiError:
    return ApiError(
        400,
        {
            "error": "InvalidParameter",
            "description": description,
            "details": {field_name: [{"description": description}]},
        },
    )


@dataclass
class Segment:
    id: int
    name: str
    user_type: str  # signed_in_users | staff
    organization_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    or_tags: list[str] = field(default_factory=list)
    added_user_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    built_in: bool = False
    created_at: int = 0

    def to_json(self, base: str) -> Json:
        return {
            "id": self.id,
            "url": f"{base}/api/v2/help_center/user_segments/{self.id}.json",
            "name": self.name,
            "user_type": self.user_type,
            "group_ids": self.group_ids,
            "organization_ids": self.organization_ids,
            "tags": self.tags,
            "or_tags": self.or_tags,
            "added_user_ids": self.added_user_ids,
            "built_in": self.built_in,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
        }


@dataclass
class Article:
    id: int
    section_id: int
    title: str
    body: str
    locale: str
    user_segment_id: int | None
    permission_group_id: int
    author_id: int
    label_names: list[str]
    draft: bool
    created_at: int
    updated_at: int
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)  # other locales

    def in_locale(self, locale: str | None, base: str) -> Json:
        """The article as the reference returns it in `locale` (its source when missing)."""
        out = self.to_json(base)
        if locale in self.translations:
            title, body = self.translations[locale]
            out.update({"title": title, "name": title, "body": body, "locale": locale})
        return out

    def to_json(self, base: str) -> Json:
        return {
            "id": self.id,
            "url": f"{base}/api/v2/help_center/{self.locale}/articles/{self.id}.json",
            "html_url": f"{base}/hc/{self.locale}/articles/{self.id}",
            "author_id": self.author_id,
            "comments_disabled": True,
            "draft": self.draft,
            "promoted": False,
            "position": 0,
            "vote_sum": 0,
            "vote_count": 0,
            "section_id": self.section_id,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "edited_at": iso(self.updated_at),
            "name": self.title,
            "title": self.title,
            "source_locale": self.locale,
            "locale": self.locale,
            "outdated": False,
            "outdated_locales": [],
            "permission_group_id": self.permission_group_id,
            "user_segment_id": self.user_segment_id,
            "user_segment_ids": [] if self.user_segment_id is None else [self.user_segment_id],
            "content_tag_ids": [],
            "label_names": self.label_names,
            "body": self.body,
        }


class HelpCenter:
    """One account's Guide content. Callers hold the account lock."""

    def __init__(self, new_id: Callable[[], int], now: int) -> None:
        self._new_id = new_id
        self.segments: dict[int, Segment] = {}
        for name, kind in (("Signed-in users", "signed_in_users"), ("Agents and admins", "staff")):
            seg = Segment(new_id(), name, kind, built_in=True, created_at=now)
            self.segments[seg.id] = seg
        self.permission_groups: dict[int, Json] = {}
        group = new_id()
        self.permission_groups[group] = {
            "id": group,
            "name": "Admins",
            "built_in": True,
            "publish": [],
            "edit": [],
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        self.categories: dict[int, Json] = {}
        self.sections: dict[int, Json] = {}
        self.articles: dict[int, Article] = {}

    # -- writes ------------------------------------------------------------------------------
    def create_segment(self, spec: Any, now: int) -> Segment:
        if not isinstance(spec, dict):
            raise _bad("user_segment", "user_segment is required")
        user_type = spec.get("user_type")
        if user_type not in ("signed_in_users", "staff"):
            raise _bad("user_type", "user_type must be signed_in_users or staff")
        seg = Segment(
            self._new_id(),
            str(spec.get("name") or ""),
            user_type,
            [int(i) for i in spec.get("organization_ids") or []],
            [str(t) for t in spec.get("tags") or []],
            [str(t) for t in spec.get("or_tags") or []],
            [int(i) for i in spec.get("added_user_ids") or []],
            [int(i) for i in spec.get("group_ids") or []],
            created_at=now,
        )
        self.segments[seg.id] = seg
        return seg

    def update_segment(self, segment_id: int, spec: Any) -> Segment:
        """The reference's Update User Segment: the keys given replace the segment's."""
        seg = self.segments.get(segment_id)
        if seg is None or seg.built_in:
            raise _bad("user_segment", "user_segment not found or built in")
        if not isinstance(spec, dict):
            raise _bad("user_segment", "user_segment is required")
        for key in ("organization_ids", "added_user_ids", "group_ids"):
            if key in spec:
                setattr(seg, key, [int(i) for i in spec[key] or []])
        for key in ("tags", "or_tags"):
            if key in spec:
                setattr(seg, key, [str(t) for t in spec[key] or []])
        if "name" in spec:
            seg.name = str(spec["name"] or "")
        return seg

    def create_category(self, spec: Any, locale: str, now: int) -> Json:
        if not isinstance(spec, dict) or not spec.get("name"):
            raise _bad("name", "name is required")
        cid = self._new_id()
        category = {"id": cid, "name": spec["name"], "description": spec.get("description", "")}
        category.update({"locale": locale, "source_locale": locale, "position": 0})
        category.update({"created_at": iso(now), "updated_at": iso(now), "outdated": False})
        self.categories[cid] = category
        return category

    def create_section(self, category_id: int, spec: Any, locale: str, now: int) -> Json:
        if category_id not in self.categories:
            raise not_found()
        if not isinstance(spec, dict) or not spec.get("name"):
            raise _bad("name", "name is required")
        sid = self._new_id()
        section = {"id": sid, "name": spec["name"], "description": spec.get("description", "")}
        section.update({"category_id": category_id, "locale": locale, "source_locale": locale})
        section.update({"position": 0, "sorting": "manual", "parent_section_id": None})
        section.update({"created_at": iso(now), "updated_at": iso(now), "outdated": False})
        self.sections[sid] = section
        return section

    def create_article(
        self, section_id: int, spec: Any, locale: str, author_id: int, now: int
    ) -> Article:
        if section_id not in self.sections:
            raise not_found()
        if not isinstance(spec, dict) or not spec.get("title"):
            raise _bad("title", "title is required")
        if "permission_group_id" not in spec or spec["permission_group_id"] is None:
            raise _bad("permission_group_id", "permission_group_id is required")
        if int(spec["permission_group_id"]) not in self.permission_groups:
            raise _bad("permission_group_id", "permission_group_id is invalid")
        if "user_segment_id" not in spec:  # mandatory; null means everyone may read
            raise _bad("user_segment_id", "user_segment_id is required (null for everyone)")
        segment = spec["user_segment_id"]
        if segment is not None and int(segment) not in self.segments:
            raise _bad("user_segment_id", "user_segment_id is invalid")
        article = Article(
            self._new_id(),
            section_id,
            str(spec["title"]),
            str(spec.get("body") or ""),
            str(spec.get("locale") or locale),
            None if segment is None else int(segment),
            int(spec["permission_group_id"]),
            author_id,
            [str(x) for x in spec.get("label_names") or []],
            bool(spec.get("draft", False)),
            now,
            now,
        )
        self.articles[article.id] = article
        return article

    def update_translation(self, article_id: int, locale: str, spec: Any, now: int) -> Json:
        article = self.articles.get(article_id)
        if article is None:
            raise not_found()
        if locale != article.locale and locale not in article.translations:
            raise not_found()  # missing: create it with POST .../translations
        if not isinstance(spec, dict):
            raise _bad("translation", "translation is required")
        if locale != article.locale:
            title, body = article.translations[locale]
            article.translations[locale] = (
                str(spec.get("title", title)),
                str(spec.get("body", body)),
            )
            article.updated_at = now
            return {"source_id": article.id, "locale": locale, "title": spec.get("title", title)}
        if "title" in spec:
            article.title = str(spec["title"])
        if "body" in spec:
            article.body = str(spec["body"])
        if "draft" in spec:
            article.draft = bool(spec["draft"])
        article.updated_at = now
        return {
            "id": article.id + 1,
            "source_id": article.id,
            "source_type": "Article",
            "locale": locale,
            "title": article.title,
            "body": article.body,
            "draft": article.draft,
            "outdated": False,
            "updated_at": iso(now),
        }

    def create_translation(self, article_id: int, spec: Any, now: int) -> Json:
        article = self.articles.get(article_id)
        if article is None:
            raise not_found()
        if not isinstance(spec, dict) or not spec.get("locale") or not spec.get("title"):
            raise _bad("translation", "locale and title are required")
        locale = str(spec["locale"])
        if locale == article.locale or locale in article.translations:
            raise _bad("locale", "a translation in this locale exists")
        article.translations[locale] = (str(spec["title"]), str(spec.get("body") or ""))
        article.updated_at = now
        return {"source_id": article.id, "locale": locale, "title": spec["title"]}

    # -- reads -------------------------------------------------------------------------------
    def may_read(self, article: Article, user: Any, orgs: set[int]) -> bool:
        """Whether `user` (a sandbox User; its organizations `orgs`) sees `article`."""
        if user.role in ("agent", "admin"):
            return True
        if article.draft:
            return False
        if article.user_segment_id is None:
            return True
        segment = self.segments.get(article.user_segment_id)
        if segment is None or segment.user_type == "staff":
            return False
        if user.id in segment.added_user_ids:
            return True
        tags = set(user.tags)
        return (
            (not segment.organization_ids or bool(orgs & set(segment.organization_ids)))
            and set(segment.tags) <= tags
            and (not segment.or_tags or bool(tags & set(segment.or_tags)))
            and not segment.group_ids
        )
