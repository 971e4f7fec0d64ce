"""The validated contract file turned into the core's `Policy` (plans, calendars, rules)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from zendesk_sla.config.errors import ConfigError
from zendesk_sla.config.schema import (
    BestEffort,
    ConfigFile,
    HolidayConfig,
    PlanConfig,
    parse_duration,
)
from zendesk_sla.core.calendar import BusinessCalendar
from zendesk_sla.core.consumption import PageTexts
from zendesk_sla.core.policy import (
    EscalationLevel,
    NoteTexts,
    PendingRules,
    Plan,
    Policy,
    QuotaRules,
    RefusedRules,
    SeverityRules,
    Tags,
    Target,
)
from zendesk_sla.core.text_model import ModelRules
from zendesk_sla.core.text_severity import TextRules

_HOLIDAY_YEARS = range(2000, 2061)


def _target(spec: str | BestEffort) -> Target:
    if isinstance(spec, BestEffort):
        amount, unit = parse_duration(spec.best_effort_after)
        return Target(amount, unit, best_effort=True)
    amount, unit = parse_duration(spec)
    return Target(amount, unit)


def _calendar_seconds(spec: str) -> int:
    amount, unit = parse_duration(spec)
    return amount * (3600 if unit == "h" else 86400)


def holiday_names(cfg: HolidayConfig) -> dict[date, str]:
    """Every closed day with its name: the country's holidays, then the YAML's extra days."""
    try:
        national = holidays_lib.country_holidays(
            cfg.country, subdiv=cfg.subdivision, years=_HOLIDAY_YEARS
        )
    except NotImplementedError as exc:
        raise ConfigError(f"holidays: {exc}") from None
    names = {day: str(name) for day, name in national.items()}
    for day in cfg.extra:
        names.setdefault(day, "extra closed day (YAML)")
    return names


def holiday_dates(cfg: HolidayConfig) -> frozenset[date]:
    return frozenset(holiday_names(cfg))


def _plans(
    raw_plans: Mapping[str, PlanConfig],
    timezone: str,
    closed: frozenset[date],
    names: dict[date, str],
) -> tuple[dict[str, Plan], dict[str, BusinessCalendar]]:
    plans = {
        name: Plan(
            name=name,
            weekly=p.hours.weekly() if p.hours else {},
            channels=frozenset(p.channels),
            max_contacts=p.authorized_contacts,
            yearly_tickets=p.tickets_per_year,
            response={sev: _target(t) for sev, t in p.response.items()},
            resolution={sev: _target(t) for sev, t in p.resolution.items()},
            next_reply={sev: _target(t) for sev, t in p.next_reply.items()},
            at_risk_ratio=p.at_risk_ratio,
            at_risk={
                sev: v if isinstance(v, float) else Target(*parse_duration(str(v)))
                for sev, v in p.at_risk.items()
            },
        )
        for name, p in raw_plans.items()
    }
    calendars = {
        name: BusinessCalendar(timezone, plan.weekly, closed, names) for name, plan in plans.items()
    }
    return plans, calendars


# YAML sections that never change a ticket's decision: left out of the terms' digest.
NOT_TERMS = {"sync", "help_center", "views", "alerts", "contract_versions", "plans"}


def terms_digest(raw: ConfigFile, index: int) -> str:
    """What decides a ticket under contract version `index` (-1: the original terms): a
    ticket judged under the same digest needs no re-judging."""
    data = raw.model_dump(mode="json", exclude=NOT_TERMS)
    data["plans"] = {k: v.model_dump(mode="json") for k, v in raw.plans_from(index).items()}
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _pages(raw: ConfigFile) -> PageTexts | None:
    """The consumption page's texts, with their translations (same place, other words)."""
    hc = raw.help_center
    if hc is None:
        return None
    base = PageTexts(**hc.model_dump(exclude={"translations"}))
    others = tuple(
        (code, replace(base, locale=code, **words.model_dump()))
        for code, words in hc.translations.items()
    )
    return replace(base, translations=others)


def build_policy(raw: ConfigFile) -> Policy:
    names = holiday_names(raw.holidays)
    closed = frozenset(names)
    base = _base_policy(raw, *_plans(raw.plans, raw.timezone, closed, names))
    base = replace(base, digest=terms_digest(raw, -1))
    zone = ZoneInfo(raw.timezone)
    later = []
    for index, version in enumerate(raw.contract_versions):
        plans, calendars = _plans(raw.plans_from(index), raw.timezone, closed, names)
        start = datetime.combine(version.effective, time(0), zone)
        terms = f"{version.effective.isoformat()} {version.description}".strip()
        version_policy = replace(
            base,
            plans=plans,
            calendars=calendars,
            terms=terms,
            effective=start,
            description=version.description,
            digest=terms_digest(raw, index),
        )
        later.append((start, version_policy))
    return replace(base, later=tuple(later))


def _model_rules(raw: ConfigFile) -> ModelRules:
    model = raw.severity.model
    if model is None:
        return ModelRules()
    return ModelRules(danger=model.danger, confident=model.confident, overrule=model.overrule)


def _base_policy(
    raw: ConfigFile, plans: dict[str, Plan], calendars: dict[str, BusinessCalendar]
) -> Policy:
    return Policy(
        timezone=raw.timezone,
        plans=plans,
        calendars=calendars,
        tags=Tags(**raw.tags),
        severity=SeverityRules(
            priority_map={str(k): str(v) for k, v in raw.severity.priority_map.items()},
            text=TextRules(
                rules={
                    str(sev): tuple(
                        (float(weight), pattern)
                        for weight, patterns in by_weight.items()
                        for pattern in patterns
                    )
                    for sev, by_weight in raw.severity.rules.items()
                },
                negations=tuple(raw.severity.negations),
                hypotheticals=tuple(raw.severity.hypotheticals),
                caps=tuple((str(c.severity), tuple(c.cues)) for c in raw.severity.caps),
                threshold=float(raw.severity.threshold),
                model_rules=_model_rules(raw),
            ),
            default=raw.severity.default,
        ),
        channel_map=dict(raw.channels),
        pending=PendingRules(
            notify_after_seconds=_calendar_seconds(raw.pending_closure.notify_after),
            close_after_seconds=_calendar_seconds(raw.pending_closure.close_after),
            notice_template=raw.pending_closure.notice,
            closing_template=raw.pending_closure.closing,
            language=raw.pending_closure.language,
            translations={
                code: (texts.notice, texts.closing)
                for code, texts in raw.pending_closure.translations.items()
            },
            notify_existing_pending=raw.pending_closure.notify_existing_pending,
        ),
        quota=QuotaRules(
            raw.quota.grace_months,
            tuple(raw.quota.warn_at),
            raw.quota.crossing_note,
            raw.quota.exceeded_note,
            raw.quota.year_field,
        ),
        at_risk_ratio=raw.at_risk_ratio,
        solve_stops_response=raw.solve_stops_response,
        texts=NoteTexts(**raw.notes.model_dump()),
        pages=_pages(raw),
        escalation=tuple(
            EscalationLevel(x.name, x.when, _target(x.after) if x.after else None)
            for x in (raw.escalation.levels if raw.escalation else [])
        ),
        refused=RefusedRules(
            raw.refused_writes.max_attempts,
            raw.refused_writes.retry_after_seconds,
            raw.refused_writes.note,
        ),
    )
