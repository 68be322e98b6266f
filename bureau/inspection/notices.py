"""通报: a public notice composed by an inspector for a region and a period from the figures —
the lowest-scoring schools, the schools below the satisfaction threshold, the schools whose
visits phone checks found 不属实 (seed 000: units with low satisfaction or that fake records are
criticised publicly) —, edited, then published. A published notice is frozen (scoring_rules):
its figures are those of the moment it was composed, and its export is what was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.frames import schools_under
from bureau.inspection.models import PhoneCheck
from bureau.inspection.scores import school_scores
from bureau.inspection.scoring_models import Notice, NoticeSchool
from bureau.inspection.survey_rates import DEFAULT_THRESHOLD, rate_rows
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School, User, place_name
from bureau.tenants.scope import Scope
from bureau.visits.models import Term

LOWEST = 5  # the lowest-scoring schools a notice names by default
MAX_LOWEST = 50
SECTIONS = {
    "lowest": "量化得分排名靠后的学校",
    "satisfaction": "满意度低于标准的学校",
    "contradicted": "电话抽查发现家访不属实的学校",
}
_check = PhoneCheck.__table__


class NoticeError(ValueError):
    """A refused notice change: the message is for the user, nothing was changed."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise NoticeError(message)


@dataclass
class NoticeInput:
    region: Region
    term: Term | None
    period_start: date | None
    period_end: date | None
    title: str = ""
    lowest: int = LOWEST
    threshold: int = DEFAULT_THRESHOLD


def _within(region: Region) -> dict[str, int]:
    return {{"province": "province", "city": "city"}.get(region.kind, "county"): region.id}


def _utc_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL)


def contradicted_counts(session: Session, scope: Scope | None, region: Region, start: date, end: date):
    """Per school under `region`: its phone checks ended 不属实 between `start` and `end` (Beijing
    dates) — one statement, schools with none left out (a notice names the ones with some)."""
    counted = (
        select(School.id, School.code, School.name, func.count().label("n"))
        .join(_check, _check.c.school_id == School.id)
        .where(
            _check.c.outcome == "contradicted",
            _check.c.closed_at >= _utc_day(start),
            _check.c.closed_at < _utc_day(end + timedelta(days=1)),
            schools_under(region),
        )
        .group_by(School.id, School.code, School.name)
        .order_by(func.count().desc(), School.code)
    )
    if scope is not None:
        counted = counted.where(scope.school_rows_clause(), scope.school_clause(_check.c.school_id))
    return session.execute(explicitly_scoped(counted, scope)).all()


def compose(session: Session, scope: Scope | None, data: NoticeInput) -> dict:
    """The figures a notice is written from, each list naming schools: {section: [row, …]}."""
    require(data.term is not None, "请选择学期。")
    require(data.period_start is not None and data.period_end is not None, "请填写通报期间的起止日期。")
    require(data.period_start <= data.period_end, "通报期间的开始日期不能晚于结束日期。")
    require(1 <= data.lowest <= MAX_LOWEST, f"排名靠后的学校数请填写 1 到 {MAX_LOWEST}。")
    require(1 <= data.threshold <= 100, "满意度标准请填写 1 到 100 之间的百分数。")
    scores = [s for s in school_scores(session, scope, data.region, data.term) if s.score is not None]
    losing = sorted((s for s in scores if s.score < s.base), key=lambda s: (s.score, s.code))[: data.lowest]
    # rate_rows applies a scope itself: with none (the CLI, the demo), the region's own
    rates = rate_rows(
        session, scope or Scope(data.region.kind, data.region.id), data.term, "school", _within(data.region)
    )
    return {
        "lowest": [
            {"school_id": s.school_id, "name": s.name, "county": s.county, "score": str(s.score), "total": str(s.total)}
            for s in losing
        ],
        "satisfaction": [
            {"school_id": r.school_id, "name": r.label, "rate": round(r.rate * 100, 1)}
            for r in rates
            if r.below(data.threshold)
        ],
        "contradicted": [
            {"school_id": i, "name": name, "count": n}
            for i, _code, name, n in contradicted_counts(
                session, scope, data.region, data.period_start, data.period_end
            )
        ],
        "threshold": data.threshold,
    }


def reasons(figures: dict) -> dict[int, list[str]]:
    """Why each school is named: school id → its lines."""
    named: dict[int, list[str]] = {}
    for row in figures.get("lowest", []):
        named.setdefault(row["school_id"], []).append(f"量化得分 {row['score']} 分，排名靠后")
    for row in figures.get("satisfaction", []):
        named.setdefault(row["school_id"], []).append(f"满意度 {row['rate']}%，低于 {figures['threshold']}%")
    for row in figures.get("contradicted", []):
        named.setdefault(row["school_id"], []).append(f"电话抽查 {row['count']} 户家访不属实")
    return named


def draft_text(region: Region, data: NoticeInput, figures: dict) -> str:
    """The draft the inspector edits: one paragraph per section, each school with its figure."""
    place = place_name(region)
    lines = [
        f"{data.period_start:%Y年%-m月%-d日}至{data.period_end:%Y年%-m月%-d日}，{place}教育局对辖区学校"
        "“大走访”工作开展了量化考核、满意度调查和电话抽查。现将有关情况通报如下："
    ]
    for number, (key, heading) in enumerate(SECTIONS.items(), start=1):
        rows = figures.get(key, [])
        if key == "lowest":
            names = "、".join(f"{r['name']}（{r['score']}分）" for r in rows)
        elif key == "satisfaction":
            names = "、".join(f"{r['name']}（{r['rate']}%）" for r in rows)
        else:
            names = "、".join(f"{r['name']}（{r['count']}户）" for r in rows)
        lines.append(f"{'一二三'[number - 1]}、{heading}：{names or '无'}。")
    lines.append("以上学校要认真查找原因，限期整改，整改情况报教育局。本通报结果计入年度考核。")
    return "\n".join(lines)


def create_notice(session: Session, scope: Scope | None, data: NoticeInput, by: User) -> Notice:
    """A draft from the figures as they are now, with the schools it names (flush)."""
    figures = compose(session, scope, data)
    title = data.title.strip() or f"关于{place_name(data.region)}{data.term.name}“大走访”工作情况的通报"
    require(len(title) <= 200, "标题不能超过 200 个字。")
    notice = Notice(
        region=data.region,
        term_id=data.term.id,
        period_start=data.period_start,
        period_end=data.period_end,
        title=title,
        body=draft_text(data.region, data, figures),
        figures=figures,
        created_by_id=by.id,
        created_at=clock.now(),
    )
    session.add(notice)
    session.flush()
    session.add_all(
        NoticeSchool(notice_id=notice.id, school_id=school_id, reasons="；".join(lines))
        for school_id, lines in reasons(figures).items()
    )
    session.flush()
    return notice


def edit_notice(session: Session, notice: Notice, title: str, body: str) -> Notice:
    """Change a draft's title and text (a published notice is refused by the guard)."""
    require(notice.state == "draft", "通报已发布，不能再修改。")
    title, body = (title or "").strip(), (body or "").strip()
    require(0 < len(title) <= 200, "标题请填写 1 到 200 个字。")
    require(0 < len(body) <= 20_000, "正文不能为空，且不超过 20000 字。")
    notice.title, notice.body = title, body
    session.flush()
    return notice


def publish_notice(session: Session, notice: Notice, by: User, now: datetime) -> Notice:
    """Publish: from now on the notice is frozen, and the schools it names see it."""
    require(notice.state == "draft", "通报已发布。")
    notice.state, notice.published_at = "published", now
    notice.published_by_name = by.display_name or by.username
    session.flush()
    return notice


def named_schools(session: Session, notice: Notice) -> list[tuple[NoticeSchool, str]]:
    """The schools a notice names, with their names, in code order (as the session may read)."""
    return list(
        session.execute(
            select(NoticeSchool, School.name)
            .join(School, School.id == NoticeSchool.school_id)
            .where(NoticeSchool.notice_id == notice.id)
            .order_by(School.code)
        ).tuples()
    )
