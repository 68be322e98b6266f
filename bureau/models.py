"""Imports every domain's models, so that mappers, migrations and the console see all of them."""

from bureau import session  # noqa: F401 - installs db.session's hooks: placement, tokens, guard, audit
from bureau.audit import AuditLog  # noqa: F401
from bureau.inspection import rules as inspection_rules  # noqa: F401 - the guard's inspection rules
from bureau.inspection import scoring_rules  # noqa: F401 - the guard's scoring rules
from bureau.inspection.models import (  # noqa: F401
    Inspection,
    InspectionPhoto,
    InspectionRound,
    PhoneCall,
    PhoneCheck,
    PhoneCheckBatch,
    SampleDraw,
    SampleFrameUnit,
    Survey,
    SurveyResponse,
    SurveyTarget,
)
from bureau.inspection.scoring_models import (  # noqa: F401
    Deduction,
    DeductionRule,
    Notice,
    NoticeSchool,
    Objection,
    ScoringSetting,
)
from bureau.ledger import queries as ledger_queries  # noqa: F401 - the weekly report's ledger figures
from bureau.ledger import rules as ledger_rules  # noqa: F401 - the guard's ledger rules
from bureau.ledger.models import FollowUp, Problem, ProblemCategory, ProblemEvent  # noqa: F401
from bureau.progress.models import (  # noqa: F401
    ExpectedReport,
    ReportWeek,
    WeeklyReport,
    WeeklyReportVersion,
)
from bureau.tenants import users  # noqa: F401 - registers the user write rule with the tenant guard
from bureau.tenants.models import LoginAttempt, Region, School, User  # noqa: F401
from bureau.visits.models import (  # noqa: F401
    Campaign,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
)
