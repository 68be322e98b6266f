"""The teacher's own visits: record, correct and list them on a phone."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from sqlalchemy import select

from bureau import clock
from bureau.admin.base import PageView, request_scope
from bureau.admin.visit_forms import VisitForm, visit_input, visit_labels
from bureau.extensions import db
from bureau.visits.models import Staff, Visit
from bureau.visits.records import MAX_PHOTO_BYTES, VisitError, add_photos, prepare_photos, record_visit, resubmit


class MyVisitsView(PageView):
    """教师: record, correct and list one's own visits, on a phone."""

    roles = ("teacher",)

    def _staff(self) -> Staff | None:
        scope = request_scope()
        return db.session.get(Staff, scope.staff_id) if scope and scope.staff_id else None

    @expose("/")
    def index(self):
        staff = self._staff()
        visits = (
            db.session.scalars(select(Visit).order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(100)).all()
            if staff
            else []
        )
        return self.render("admin/visits/my_list.html", staff=staff, visits=visits, **visit_labels())

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        return self._form(None)

    @expose("/<int:visit_id>/edit", methods=("GET", "POST"))
    def edit(self, visit_id: int):
        visit = db.session.scalar(select(Visit).where(Visit.id == visit_id))
        staff = self._staff()
        if visit is None or staff is None or visit.staff_id != staff.id:  # a companion reads it only
            abort(404)
        return self._form(visit)

    def _form(self, visit: Visit | None):
        staff = self._staff()
        if staff is None:
            flash("您的账号未关联教职工信息，请联系学校管理员。", "error")
            return redirect(url_for(".index"))
        form = VisitForm(obj=visit) if request.method == "GET" and visit else VisitForm()
        form.fill_choices(db.session, staff)
        if request.method == "GET" and visit is None:
            form.visited_on.data = clock.today()
        refusal = None
        if form.validate_on_submit():
            # One more byte than allowed is enough to refuse a photo that is too big.
            uploads = [
                (upload.filename, upload.read(MAX_PHOTO_BYTES + 1))
                for upload in request.files.getlist(form.photos.name)
                if upload and upload.filename
            ]
            try:
                # Every photo is checked before the first file is written; the files belong to
                # the transaction, so they go again if the record, the flush or the commit fails.
                photos = prepare_photos(uploads)
                data = visit_input(form)
                saved = record_visit(db.session, staff, data) if visit is None else resubmit(db.session, visit, data)
                add_photos(db.session, saved, photos, current_app.config["UPLOAD_DIR"])
            except VisitError as error:
                db.session.rollback()
                refusal = _place_errors(form, error)
            else:
                flash(
                    "走访记录已提交，等待学校审核。"
                    + ("（该学生本学期已有走访记录，已标记为重复走访）" if saved.is_repeat else ""),
                    "success",
                )
                return redirect(url_for(".index"))
        # A browser never keeps a chosen file across a page it is sent back to: say so.
        photos_dropped = request.method == "POST" and any(
            upload.filename for upload in request.files.getlist(form.photos.name)
        )
        return self.render(
            "admin/visits/my_form.html",
            form=form,
            visit=visit,
            refusal=refusal,
            photos_dropped=photos_dropped,
            **visit_labels(),
        )


def _place_errors(form: VisitForm, error: VisitError) -> str | None:
    """Put each of the service's reasons beside its field; return the rest (reasons about no field
    of the form, or a refusal about no input at all) for the top of the form."""
    if not error.fields:
        return str(error)
    rest: list[str] = []
    for name, messages in error.fields.items():
        field = getattr(form, name, None) if name else None
        if field is None:
            rest += messages
        else:
            field.errors = [*field.errors, *messages]
    return "；".join(rest) or None
