"""抽签记录: every draw, and its page showing what anyone needs to check it by hand — the seed, the
frame's SHA-256 and the frame itself to download, each sampled unit's ticket — with a 复核
(verify) that recomputes the draw from its record. Region roles only: schools never see draws."""

from __future__ import annotations

from flask import Response, abort, stream_with_context, url_for
from flask_admin import Admin, expose
from markupsafe import Markup, escape
from sqlalchemy import select

from bureau.admin.base import REGION_READERS, ReadOnlyView, choice
from bureau.audit import label_table
from bureau.clock import local_text
from bureau.extensions import db
from bureau.inspection.models import DRAW_PURPOSES, STRATA, SampleDraw, SampleFrameUnit
from bureau.inspection.sampling import ALGORITHM, DEFERRED, EXCLUDED, frame_line, frame_units, verify_draw
from bureau.tenants.models import School

SHOWN_EXCLUSIONS = 200  # the page lists this many excluded or deferred units; the download has all

label_table(
    "sample_draw",
    "抽签记录",
    {
        "per": "分层方式",
        "size_n": "每层数量",
        "size_percent": "每层比例(%)",
        "seed_generated": "系统生成种子",
        "frame_sha256": "抽样框 SHA-256",
        "all_fresh": "先抽未调查过的",
        "strata": "各层样本",
        "params": "抽取条件",
        "algorithm": "算法版本",
        "drawn_by_id": "抽取人",
        "replaces_id": "原抽取",
        "reason": "重新抽取理由",
    },
    {"per": STRATA, "purpose": DRAW_PURPOSES},
    page=("draw.show", "draw_id"),
)
label_table(
    "sample_frame",
    "抽样框单位",
    {"draw_id": "抽签记录", "stratum": "层", "code": "单位编码", "status": "状态"},
    {"status": {"": "参加抽取", EXCLUDED: "已排除", DEFERRED: "后抽"}},
)


def _draw_link(view, context, model: SampleDraw, name) -> Markup:
    return Markup('<a href="{}">第 {} 号</a>').format(url_for("draw.show", draw_id=model.id), model.id)


def _replaces(view, context, model: SampleDraw, name) -> Markup | str:
    if model.replaces_id is None:
        return ""
    link = Markup('<a href="{}">第 {} 号</a>').format(
        url_for("draw.show", draw_id=model.replaces_id), model.replaces_id
    )
    return link + Markup("：") + escape(model.reason or "")


class DrawView(ReadOnlyView):
    """The list of draws in the user's scope (the guard reads only its region's, above and below)."""

    roles = REGION_READERS
    can_view_details = False
    column_list = (
        "id",
        "purpose",
        "region",
        "size",
        "seed",
        "frame_count",
        "sample",
        "drawn_at",
        "drawn_by_name",
        "replaces",
    )
    column_labels = {
        "id": "编号",
        "purpose": "用途",
        "region": "范围",
        "size": "分层与数量",
        "seed": "随机种子",
        "frame_count": "抽样框",
        "sample": "样本数",
        "drawn_at": "抽取时间",
        "drawn_by_name": "抽取人",
        "replaces": "重新抽取（原抽取：理由）",
    }
    column_formatters = {
        "id": _draw_link,
        "purpose": choice(DRAW_PURPOSES),
        "size": lambda v, c, m, n: m.size_label,
        "sample": lambda v, c, m, n: m.sample_size,
        "replaces": _replaces,
    }
    column_filters = ("purpose",)
    column_choices = {"purpose": list(DRAW_PURPOSES.items())}
    column_default_sort = ("id", True)
    column_sortable_list = ("id", "drawn_at")

    def _draw(self, draw_id: int) -> SampleDraw:
        draw = db.session.get(SampleDraw, draw_id)
        if draw is None:
            abort(404)
        return draw

    @expose("/<int:draw_id>")
    def show(self, draw_id: int):
        return self._page(self._draw(draw_id), problems=None)

    @expose("/<int:draw_id>/verify")
    def verify(self, draw_id: int):
        """复核: recompute from the record; reads only (a GET that writes nothing)."""
        draw = self._draw(draw_id)
        return self._page(draw, problems=verify_draw(db.session, draw))

    def _page(self, draw: SampleDraw, problems: list[str] | None):
        codes = [code for info in draw.strata.values() for code, _ in info["sample"]]
        names = dict(db.session.execute(select(School.code, School.name).where(School.code.in_(codes))).all())
        set_aside = db.session.execute(
            select(SampleFrameUnit.stratum, SampleFrameUnit.code, SampleFrameUnit.status)
            .where(SampleFrameUnit.draw_id == draw.id, SampleFrameUnit.status != "")
            .order_by(SampleFrameUnit.stratum, SampleFrameUnit.code)
            .limit(SHOWN_EXCLUSIONS + 1)
        ).all()
        redraws = db.session.scalars(select(SampleDraw).where(SampleDraw.replaces_id == draw.id)).all()
        return self.render(
            "admin/draw/show.html",
            draw=draw,
            problems=problems,
            names=names,
            set_aside=set_aside[:SHOWN_EXCLUSIONS],
            more_set_aside=len(set_aside) > SHOWN_EXCLUSIONS,
            redraws=redraws,
            purposes=DRAW_PURPOSES,
            strata_kinds=STRATA,
            algorithm=ALGORITHM,
            example=self._example(draw),
            local_text=local_text,
        )

    @staticmethod
    def _example(draw: SampleDraw) -> str:
        for info in draw.strata.values():
            if info["sample"]:
                return f"{draw.seed}:{info['sample'][0][0]}"
        return f"{draw.seed}:代码"

    @expose("/<int:draw_id>/frame.txt")
    def frame(self, draw_id: int):
        """The frame exactly as hashed: one `stratum<TAB>code` line per unit, in frame order, so
        `sha256sum` of the download is the published hash. Streamed: never held in memory."""
        draw = self._draw(draw_id)
        lines = (frame_line(stratum, code) for stratum, code, _ in frame_units(db.session, draw.id))
        return self._text(lines, f"draw-{draw.id}-frame.txt")

    @expose("/<int:draw_id>/set-aside.txt")
    def set_aside(self, draw_id: int):
        """The units excluded or deferred, `stratum<TAB>code<TAB>excluded|deferred`, in frame order."""
        draw = self._draw(draw_id)
        lines = (
            f"{stratum}\t{code}\t{status}\n".encode()
            for stratum, code, status in frame_units(db.session, draw.id)
            if status
        )
        return self._text(lines, f"draw-{draw.id}-set-aside.txt")

    @staticmethod
    def _text(lines, name: str) -> Response:
        response = Response(stream_with_context(lines), mimetype="text/plain; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def register(admin: Admin, category: str) -> None:
    """Add the draw list and pages to the console (under `category`)."""
    admin.add_view(DrawView(SampleDraw, db.session, name="抽签记录", category=category, endpoint="draw"))
