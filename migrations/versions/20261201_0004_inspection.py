"""inspection baseline: sample draws and their frames, inspection rounds and inspections, phone checks, surveys

One baseline migration per module before the first release (tenants, visits, progress, inspection).

Revision ID: 20261201_0004
Revises: 20261201_0003
Create Date: 2026-12-01 12:00:00

"""
import sqlalchemy as sa
from alembic import op

import bureau.db_types


# revision identifiers, used by Alembic.
revision = '20261201_0004'
down_revision = '20261201_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sample_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('per', sa.String(length=10), nullable=False),
    sa.Column('size_n', sa.Integer(), nullable=True),
    sa.Column('size_percent', sa.SmallInteger(), nullable=True),
    sa.Column('seed', sa.String(length=100), nullable=False),
    sa.Column('seed_generated', sa.Boolean(), nullable=False),
    sa.Column('frame_sha256', sa.String(length=64), nullable=False),
    sa.Column('frame_count', sa.Integer(), nullable=False),
    sa.Column('all_fresh', sa.Boolean(), nullable=False),
    sa.Column('strata', sa.JSON(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('algorithm', sa.String(length=40), nullable=False),
    sa.Column('drawn_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('drawn_by_name', sa.String(length=80), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['user.id'], name=op.f('fk_sample_draw_drawn_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_sample_draw_region_id_region')),
    sa.ForeignKeyConstraint(['replaces_id'], ['sample_draw.id'], name=op.f('fk_sample_draw_replaces_id_sample_draw')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_draw'))
    )
    with op.batch_alter_table('sample_draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_draw_region_id'), ['region_id'], unique=False)

    op.create_table('inspection_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('per', sa.String(length=10), nullable=False),
    sa.Column('size_n', sa.Integer(), nullable=True),
    sa.Column('size_percent', sa.SmallInteger(), nullable=True),
    sa.Column('exclude_recent', sa.SmallInteger(), nullable=False),
    sa.Column('unannounced', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=True),
    sa.Column('published_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_round_created_by_id_user')),
    sa.ForeignKeyConstraint(['draw_id'], ['sample_draw.id'], name=op.f('fk_inspection_round_draw_id_sample_draw')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_inspection_round_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_round'))
    )
    with op.batch_alter_table('inspection_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_round_region_id'), ['region_id'], unique=False)

    op.create_table('phone_check_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('per', sa.String(length=10), nullable=False),
    sa.Column('size_n', sa.Integer(), nullable=False),
    sa.Column('allow_repeat', sa.Boolean(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_phone_check_batch_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_phone_check_batch_created_by_id_user')),
    sa.ForeignKeyConstraint(['draw_id'], ['sample_draw.id'], name=op.f('fk_phone_check_batch_draw_id_sample_draw')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_phone_check_batch_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_check_batch'))
    )
    with op.batch_alter_table('phone_check_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_check_batch_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_check_batch_region_id'), ['region_id'], unique=False)

    op.create_table('sample_frame',
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=160), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['draw_id'], ['sample_draw.id'], name=op.f('fk_sample_frame_draw_id_sample_draw')),
    sa.PrimaryKeyConstraint('draw_id', 'stratum', 'code', name=op.f('pk_sample_frame'))
    )
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.SmallInteger(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_survey_created_by_id_user')),
    sa.ForeignKeyConstraint(['draw_id'], ['sample_draw.id'], name=op.f('fk_survey_draw_id_sample_draw')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_survey_region_id_region')),
    sa.ForeignKeyConstraint(['term_id'], ['term.id'], name=op.f('fk_survey_term_id_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_term_id'), ['term_id'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_on', sa.Date(), nullable=True),
    sa.Column('companions', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('verdict', sa.String(length=12), nullable=True),
    sa.Column('completed_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('fk_inspection_completed_by_id_user')),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_inspection_inspector_id_user')),
    sa.ForeignKeyConstraint(['round_id'], ['inspection_round.id'], name=op.f('fk_inspection_round_id_inspection_round')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_inspection_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_inspection_school_id_scheduled_on', ['school_id', 'scheduled_on'], unique=False)
        batch_op.create_index('uq_inspection_inspector_day', ['inspector_id', 'scheduled_on'], unique=True)
        batch_op.create_index('uq_inspection_round_school', ['round_id', 'school_id'], unique=True)

    op.create_table('phone_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('satisfaction', sa.String(length=12), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('closed_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['phone_check_batch.id'], name=op.f('fk_phone_check_batch_id_phone_check_batch')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user.id'], name=op.f('fk_phone_check_checked_by_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_phone_check_school_id_school')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_phone_check_student_id_student')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_phone_check_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_check'))
    )
    with op.batch_alter_table('phone_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_check_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_check_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_check_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_check_visit_id'), ['visit_id'], unique=False)
        batch_op.create_index('uq_phone_check_batch_student', ['batch_id', 'student_id'], unique=True)

    op.create_table('survey_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_survey_target_class_id_school_class')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_survey_target_school_id_school')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_survey_target_student_id_student')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_target_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_target'))
    )
    with op.batch_alter_table('survey_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_target_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_target_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_target_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index('uq_survey_target_survey_student', ['survey_id', 'student_id'], unique=True)

    op.create_table('inspection_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_photo_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_inspection_photo_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_photo'))
    )
    with op.batch_alter_table('inspection_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_photo_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_photo_school_id'), ['school_id'], unique=False)

    op.create_table('phone_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('called_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('called_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['called_by_id'], ['user.id'], name=op.f('fk_phone_call_called_by_id_user')),
    sa.ForeignKeyConstraint(['check_id'], ['phone_check.id'], name=op.f('fk_phone_call_check_id_phone_check')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_phone_call_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_call'))
    )
    with op.batch_alter_table('phone_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_call_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_call_school_id'), ['school_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('homework', sa.String(length=12), nullable=False),
    sa.Column('marking', sa.String(length=12), nullable=False),
    sa.Column('safety', sa.String(length=12), nullable=False),
    sa.Column('overall', sa.String(length=12), nullable=False),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('recorded_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_survey_response_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_survey_response_school_id_school')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_survey_response_student_id_student')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey')),
    sa.ForeignKeyConstraint(['target_id'], ['survey_target.id'], name=op.f('fk_survey_response_target_id_survey_target')),
    sa.ForeignKeyConstraint(['term_id'], ['term.id'], name=op.f('fk_survey_response_term_id_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('target_id', name=op.f('uq_survey_response_target_id'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_survey_response_school_id_term_id', ['school_id', 'term_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)



def downgrade():
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_student_id'))
        batch_op.drop_index('ix_survey_response_school_id_term_id')
        batch_op.drop_index(batch_op.f('ix_survey_response_school_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('phone_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_call_school_id'))
        batch_op.drop_index(batch_op.f('ix_phone_call_check_id'))

    op.drop_table('phone_call')
    with op.batch_alter_table('inspection_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_photo_school_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_photo_inspection_id'))

    op.drop_table('inspection_photo')
    with op.batch_alter_table('survey_target', schema=None) as batch_op:
        batch_op.drop_index('uq_survey_target_survey_student')
        batch_op.drop_index(batch_op.f('ix_survey_target_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_target_student_id'))
        batch_op.drop_index(batch_op.f('ix_survey_target_school_id'))

    op.drop_table('survey_target')
    with op.batch_alter_table('phone_check', schema=None) as batch_op:
        batch_op.drop_index('uq_phone_check_batch_student')
        batch_op.drop_index(batch_op.f('ix_phone_check_visit_id'))
        batch_op.drop_index(batch_op.f('ix_phone_check_student_id'))
        batch_op.drop_index(batch_op.f('ix_phone_check_school_id'))
        batch_op.drop_index(batch_op.f('ix_phone_check_batch_id'))

    op.drop_table('phone_check')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('uq_inspection_round_school')
        batch_op.drop_index('uq_inspection_inspector_day')
        batch_op.drop_index('ix_inspection_school_id_scheduled_on')
        batch_op.drop_index(batch_op.f('ix_inspection_school_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_round_id'))

    op.drop_table('inspection')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_term_id'))
        batch_op.drop_index(batch_op.f('ix_survey_region_id'))

    op.drop_table('survey')
    op.drop_table('sample_frame')
    with op.batch_alter_table('phone_check_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_check_batch_region_id'))
        batch_op.drop_index(batch_op.f('ix_phone_check_batch_campaign_id'))

    op.drop_table('phone_check_batch')
    with op.batch_alter_table('inspection_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_round_region_id'))

    op.drop_table('inspection_round')
    with op.batch_alter_table('sample_draw', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_draw_region_id'))

    op.drop_table('sample_draw')
