"""问题类别 in the console: the province's one editable list of categories — read by every ledger
user, kept by the province's region admins (add, rename, reorder, stop using; never deleted, as
problems keep theirs)."""

from __future__ import annotations

from flask_login import current_user

from bureau.admin.base import ScopedModelView, has_role
from bureau.extensions import db
from bureau.ledger.models import ProblemCategory


def _province_admin() -> bool:
    region = current_user.region if has_role("region_admin") else None
    return region is not None and region.kind == "province"


class CategoryView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    column_list = ("position", "name", "active")
    column_labels = {"position": "排序", "name": "类别名称", "active": "在用"}
    column_default_sort = ("position", False)
    form_columns = ("name", "position", "active")

    @property
    def can_create(self) -> bool:
        return _province_admin()

    @property
    def can_edit(self) -> bool:
        return _province_admin()


def view(category: str) -> CategoryView:
    return CategoryView(ProblemCategory, db.session, name="问题类别", category=category, endpoint="problem_category")
