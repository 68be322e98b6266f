"""visits baseline: terms, campaigns, classes, staff, students, 包保 assignments, visits, photos, versions

One baseline migration per module before the first release (tenants, then visits, then progress).

Revision ID: 20261201_0002
Revises: 20261201_0001
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import bureau.db_types

# revision identifiers, used by Alembic.
revision = '20261201_0002'
down_revision = '20261201_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term')),
    sa.UniqueConstraint('name', name=op.f('uq_term_name'))
    )
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('coverage_deadline', sa.Date(), nullable=False),
    sa.Column('report_weekday', sa.SmallInteger(), nullable=False),
    sa.Column('report_time', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_campaign_region_id_region')),
    sa.ForeignKeyConstraint(['term_id'], ['term.id'], name=op.f('fk_campaign_term_id_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_term_id'), ['term_id'], unique=False)

    op.create_table('school_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_school_class_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_class'))
    )
    with op.batch_alter_table('school_class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_class_school_id'), ['school_id'], unique=False)
        batch_op.create_index('uq_school_class_school_grade_number', ['school_id', 'grade', 'number'], unique=True)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_staff_school_id_school')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('user_id', name=op.f('uq_staff_user_id'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_school_id'), ['school_id'], unique=False)

    op.create_table('student',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('guardian_name', sa.String(length=50), nullable=True),
    sa.Column('guardian_relation', sa.String(length=20), nullable=True),
    sa.Column('guardian_phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('village', sa.String(length=100), nullable=True),
    sa.Column('left_behind', sa.Boolean(), nullable=False),
    sa.Column('migrant', sa.Boolean(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('poor', sa.Boolean(), nullable=False),
    sa.Column('struggling', sa.Boolean(), nullable=False),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_student_class_id_school_class')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_student_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student'))
    )
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_student_school_id'), ['school_id'], unique=False)
        batch_op.create_index('uq_student_school_number', ['school_id', 'number'], unique=True)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('student_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_assignment_class_id_school_class')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_assignment_school_id_school')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_assignment_staff_id_staff')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_assignment_student_id_student')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_assignment_school_id_kind_end_date', ['school_id', 'kind', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_student_id'), ['student_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=12), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('staff2_id', sa.Integer(), nullable=True),
    sa.Column('target_staff_id', sa.Integer(), nullable=True),
    sa.Column('visited_person', sa.String(length=100), nullable=True),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('is_repeat', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('household_size', sa.SmallInteger(), nullable=True),
    sa.Column('school_children', sa.SmallInteger(), nullable=True),
    sa.Column('employment', sa.String(length=1), nullable=True),
    sa.Column('caregiver', sa.String(length=1), nullable=True),
    sa.Column('housing', sa.String(length=1), nullable=True),
    sa.Column('q_punishment', sa.Boolean(), nullable=True),
    sa.Column('q_homework', sa.Boolean(), nullable=True),
    sa.Column('q_marking', sa.Boolean(), nullable=True),
    sa.Column('q_tutoring', sa.Boolean(), nullable=True),
    sa.Column('q_lessons', sa.Boolean(), nullable=True),
    sa.Column('q_fees', sa.Boolean(), nullable=True),
    sa.Column('q_safety', sa.Boolean(), nullable=True),
    sa.Column('opinions', sa.Text(), nullable=True),
    sa.Column('safety_notice', sa.Boolean(), nullable=False),
    sa.Column('letter_delivered', sa.Boolean(), nullable=False),
    sa.Column('reported', sa.Text(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('no_gifts', sa.Boolean(), nullable=False),
    sa.Column('review_note', sa.String(length=500), nullable=True),
    sa.Column('reviewed_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_visit_reviewed_by_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_visit_school_id_school')),
    sa.ForeignKeyConstraint(['staff2_id'], ['staff.id'], name=op.f('fk_visit_staff2_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_visit_staff_id_staff')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_visit_student_id_student')),
    sa.ForeignKeyConstraint(['target_staff_id'], ['staff.id'], name=op.f('fk_visit_target_staff_id_staff')),
    sa.ForeignKeyConstraint(['term_id'], ['term.id'], name=op.f('fk_visit_term_id_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_visit_school_id_term_id_student_id', ['school_id', 'term_id', 'student_id'], unique=False)
        batch_op.create_index('ix_visit_school_id_visited_on', ['school_id', 'visited_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_staff2_id'), ['staff2_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_term_id'), ['term_id'], unique=False)

    op.create_table('visit_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_visit_photo_school_id_school')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_photo_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_photo'))
    )
    with op.batch_alter_table('visit_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_photo_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_photo_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submitted_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_visit_version_school_id_school')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_version_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_version'))
    )
    with op.batch_alter_table('visit_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_version_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_version_visit_id'), ['visit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_version_visit_id'))
        batch_op.drop_index(batch_op.f('ix_visit_version_school_id'))

    op.drop_table('visit_version')
    with op.batch_alter_table('visit_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_photo_visit_id'))
        batch_op.drop_index(batch_op.f('ix_visit_photo_school_id'))

    op.drop_table('visit_photo')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_term_id'))
        batch_op.drop_index(batch_op.f('ix_visit_student_id'))
        batch_op.drop_index(batch_op.f('ix_visit_staff_id'))
        batch_op.drop_index(batch_op.f('ix_visit_staff2_id'))
        batch_op.drop_index('ix_visit_school_id_visited_on')
        batch_op.drop_index('ix_visit_school_id_term_id_student_id')
        batch_op.drop_index(batch_op.f('ix_visit_school_id'))

    op.drop_table('visit')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_student_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_staff_id'))
        batch_op.drop_index('ix_assignment_school_id_kind_end_date')
        batch_op.drop_index(batch_op.f('ix_assignment_school_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_class_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_index('uq_student_school_number')
        batch_op.drop_index(batch_op.f('ix_student_school_id'))
        batch_op.drop_index(batch_op.f('ix_student_class_id'))

    op.drop_table('student')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_school_id'))

    op.drop_table('staff')
    with op.batch_alter_table('school_class', schema=None) as batch_op:
        batch_op.drop_index('uq_school_class_school_grade_number')
        batch_op.drop_index(batch_op.f('ix_school_class_school_id'))

    op.drop_table('school_class')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_term_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_region_id'))

    op.drop_table('campaign')
    op.drop_table('term')
