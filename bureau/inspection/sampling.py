"""The one sampling service: every random choice of the product (schools to inspect, families to
phone, families to survey) is a draw made here, recorded so that anyone can repeat it.

The rule (docs/architecture.md, "Sampling"): a unit's ticket is the SHA-256 hex digest of the
UTF-8 text f"{seed}:{unit_code}"; within a stratum the sample is the n units with the smallest
tickets — deferred units after every other, excluded units never. So the same seed and frame
always give the same sample, a larger n extends a sample, and anyone holding the published seed
and unit codes can recompute it with nothing but a SHA-256 tool.

The frame is written into `sample_frame` by one INSERT … SELECT in the database, then read back
once, in code order, as a stream: the frame's hash is updated unit by unit and each stratum keeps
only its current n smallest tickets (a heap), so memory follows the sample, not the frame.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Select, String, cast, func, insert, literal, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.models import STRATA, SampleDraw, SampleFrameUnit
from bureau.tenants.models import Region, User

ALGORITHM = "sha256-smallest-n/1"
EXCLUDED, DEFERRED = "excluded", "deferred"
MAX_SEED = 100
STREAM_BATCH = 5000


class DrawError(ValueError):
    """A draw that cannot be made as asked; the message is for the user and nothing is written."""


def ticket(seed: str, code: str) -> str:
    """A unit's ticket: sha256("{seed}:{code}") as 64 lowercase hex digits."""
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def frame_line(stratum: str, code: str) -> bytes:
    """One unit's line of the frame text whose SHA-256 is published: stratum, tab, code, newline."""
    return f"{stratum}\t{code}\n".encode()


def new_seed() -> str:
    """A seed for whoever has no public one to type in: twelve digits from `secrets`, shown."""
    return f"{secrets.randbelow(10**12):012d}"


def check_seed(seed: str) -> str:
    seed = (seed or "").strip()
    if not seed:
        raise DrawError("请填写随机种子（如公开摇号结果），或选择由系统生成。")
    if len(seed) > MAX_SEED:
        raise DrawError(f"随机种子最长 {MAX_SEED} 个字符，现有 {len(seed)} 个。")
    if any(c in seed for c in "\t\n\r"):
        raise DrawError("随机种子不能包含换行或制表符。")
    return seed


@dataclass(frozen=True)
class Size:
    """How many units each stratum gives: `n` (all of them when fewer), or `percent` of its
    eligible units rounded up; with `all_fresh`, at least every fresh (not deferred) unit."""

    n: int | None = None
    percent: int | None = None
    all_fresh: bool = False

    def __post_init__(self) -> None:
        if (self.n is None) == (self.percent is None):
            raise DrawError("请给出每层抽取的个数或比例（二者选一）。")
        if self.n is not None and not 1 <= self.n <= 10_000:
            raise DrawError("每层抽取个数须在 1 到 10000 之间。")
        if self.percent is not None and not 1 <= self.percent <= 100:
            raise DrawError("抽取比例须在 1% 到 100% 之间。")

    def of(self, eligible: int, fresh: int) -> int:
        """The sample size of a stratum with `eligible` drawable units, `fresh` of them not deferred."""
        wanted = self.n if self.n is not None else -(-eligible * self.percent // 100)
        if self.all_fresh:
            wanted = max(wanted, fresh)
        return min(wanted, eligible)

    @classmethod
    def of_draw(cls, draw: SampleDraw) -> Size:
        return cls(draw.size_n, draw.size_percent, draw.all_fresh)


@dataclass
class Stratum:
    """What a stream of one stratum gave: counts and the sample in draw order."""

    frame: int = 0
    eligible: int = 0
    fresh: int = 0
    sample: list[tuple[str, str]] = field(default_factory=list)


def select_samples(
    units: Iterable[tuple[str, str, str]], seed: str, sizes: dict[str, int]
) -> tuple[str, dict[str, Stratum]]:
    """Stream `units` — (stratum, code, status) in frame order, grouped by stratum — and return
    the frame's SHA-256 and each stratum's sample: the sizes[stratum] units with the smallest
    (deferred?, ticket). Holds one heap of n per stratum at a time, never the frame."""
    digest = hashlib.sha256()
    result: dict[str, Stratum] = {}

    def drawable(stratum: str, group: Iterator[tuple[str, str, str]], counts: Stratum):
        for _, code, status in group:
            digest.update(frame_line(stratum, code))
            counts.frame += 1
            if status == EXCLUDED:
                continue
            counts.eligible += 1
            counts.fresh += status != DEFERRED
            yield (status == DEFERRED, ticket(seed, code), code)

    for stratum, group in itertools.groupby(units, key=lambda unit: unit[0]):
        if stratum in result:
            raise ValueError(f"frame not grouped by stratum: {stratum!r} appears twice")
        counts = result[stratum] = Stratum()
        smallest = heapq.nsmallest(sizes.get(stratum, 0), drawable(stratum, group, counts))
        for _ in drawable(stratum, group, counts):  # the rest of the stratum: hashed and counted
            pass
        counts.sample = [(code, tick) for _, tick, code in smallest]
    return digest.hexdigest(), result


def _binary(column, dialect: str):
    """Order by code point (UTF-8 byte order) on every database: the frame's published order."""
    return column.collate("C") if dialect == "postgresql" else column


def frame_units(session: Session, draw_id: int) -> Iterator[tuple[str, str, str]]:
    """A draw's frame as stored, streamed in frame order: (stratum, code, status)."""
    unit = SampleFrameUnit
    dialect = session.get_bind().dialect.name
    statement = (
        select(unit.stratum, unit.code, unit.status)
        .where(unit.draw_id == draw_id)
        .order_by(_binary(unit.stratum, dialect), _binary(unit.code, dialect))
        .execution_options(yield_per=STREAM_BATCH)
    )
    for row in session.execute(statement):
        yield row.stratum, row.code, row.status


def _stratum_counts(session: Session, draw_id: int) -> dict[str, tuple[int, int]]:
    """Each stratum's (eligible, fresh) units, counted in SQL."""
    unit = SampleFrameUnit
    rows = session.execute(
        select(
            unit.stratum,
            func.count().filter(unit.status != EXCLUDED),
            func.count().filter(unit.status == ""),
        )
        .where(unit.draw_id == draw_id)
        .group_by(unit.stratum)
    )
    return {stratum: (eligible, fresh) for stratum, eligible, fresh in rows}


@dataclass(frozen=True)
class Frame:
    """What a draw is made from: a SELECT of (stratum, code, status) rows — one per unit — and
    each stratum's label for people."""

    units: Select
    labels: dict[str, str]


def make_draw(
    session: Session,
    *,
    purpose: str,
    region: Region,
    per: str,
    size: Size,
    seed: str | None,
    frame: Frame,
    drawn_by: User | None,
    drawn_by_name: str = "",
    params: dict | None = None,
    replaces: SampleDraw | None = None,
    reason: str | None = None,
) -> SampleDraw:
    """Record a draw and its sample (flush). `seed` None: one is generated and recorded as such.
    A redraw names the draw it `replaces` and gives a `reason`; both stay."""
    if per not in STRATA:
        raise DrawError("分层方式无效。")
    generated = seed is None
    seed = new_seed() if generated else check_seed(seed)
    if replaces is not None and not (reason or "").strip():
        raise DrawError("重新抽取须说明理由。")
    draw = SampleDraw(
        purpose=purpose,
        region_id=region.id,
        per=per,
        size_n=size.n,
        size_percent=size.percent,
        all_fresh=size.all_fresh,
        seed=seed,
        seed_generated=generated,
        frame_sha256="",
        frame_count=0,
        strata={},
        params=params or {},
        algorithm=ALGORITHM,
        drawn_at=clock.now(),
        drawn_by_id=drawn_by.id if drawn_by is not None else None,
        drawn_by_name=drawn_by_name or (drawn_by.display_name or drawn_by.username if drawn_by else ""),
        replaces_id=replaces.id if replaces is not None else None,
        reason=(reason or "").strip() or None,
    )
    session.add(draw)
    session.flush()
    rows = frame.units.subquery()
    session.execute(
        insert(SampleFrameUnit.__table__).from_select(
            ["draw_id", "stratum", "code", "status"],
            select(literal(draw.id), cast(rows.c[0], String), cast(rows.c[1], String), rows.c[2]),
        )
    )
    counts = _stratum_counts(session, draw.id)
    if not counts:
        raise DrawError("抽样范围内没有可抽取的对象。")
    sizes = {stratum: size.of(eligible, fresh) for stratum, (eligible, fresh) in counts.items()}
    frame_hash, strata = select_samples(frame_units(session, draw.id), seed, sizes)
    draw.frame_sha256 = frame_hash
    draw.frame_count = sum(s.frame for s in strata.values())
    draw.strata = {
        code: {
            "label": frame.labels.get(code, code),
            "frame": s.frame,
            "eligible": s.eligible,
            "fresh": s.fresh,
            "n": len(s.sample),
            "sample": [list(pair) for pair in s.sample],
        }
        for code, s in strata.items()
    }
    session.flush()
    return draw


def verify_draw(session: Session, draw: SampleDraw) -> list[str]:
    """Recompute a draw from its record (seed, stored frame, size rule); the differences found,
    each naming its stratum, or [] when the record reproduces."""
    counts = _stratum_counts(session, draw.id)
    size = Size.of_draw(draw)
    sizes = {stratum: size.of(eligible, fresh) for stratum, (eligible, fresh) in counts.items()}
    frame_hash, strata = select_samples(frame_units(session, draw.id), draw.seed, sizes)
    problems = []
    if draw.algorithm != ALGORITHM:
        problems.append(f"算法版本 {draw.algorithm} 与本系统的 {ALGORITHM} 不同，无法复核。")
    if frame_hash != draw.frame_sha256:
        problems.append(f"抽样框的 SHA-256 不符：记录为 {draw.frame_sha256}，按存储的抽样框重算为 {frame_hash}。")
    stored = draw.strata or {}
    for code in sorted(set(stored) | set(strata)):
        label = stored.get(code, {}).get("label", code)
        if code not in strata:
            problems.append(f"分层「{label}」（{code}）在抽样框中已不存在。")
            continue
        if code not in stored:
            problems.append(f"分层「{label}」（{code}）不在抽取记录中。")
            continue
        expected = [list(pair) for pair in strata[code].sample]
        if stored[code].get("sample") != expected:
            problems.append(f"分层「{label}」（{code}）的样本与重算结果不同。")
        elif stored[code].get("frame") != strata[code].frame:
            problems.append(f"分层「{label}」（{code}）的抽样框单位数与记录不同。")
    return problems


def sampled_codes(draw: SampleDraw) -> Iterator[tuple[str, str, str]]:
    """Every sampled unit of a draw: (stratum, code, ticket), stratum by stratum in draw order."""
    for stratum, info in draw.strata.items():
        for code, tick in info["sample"]:
            yield stratum, code, tick
