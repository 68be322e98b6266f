"""progress baseline: report weeks, expected reports, weekly reports and their versions

One baseline migration per module before the first release (tenants, then visits, then progress).

Revision ID: 20261201_0003
Revises: 20261201_0002
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import bureau.db_types

# revision identifiers, used by Alembic.
revision = '20261201_0003'
down_revision = '20261201_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expected_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_expected_report_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['city_id'], ['region.id'], name=op.f('fk_expected_report_city_id_region')),
    sa.ForeignKeyConstraint(['county_id'], ['region.id'], name=op.f('fk_expected_report_county_id_region')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_expected_report_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expected_report')),
    sa.UniqueConstraint('school_id', 'campaign_id', 'week_start', name='uq_expected_report_school_campaign_week')
    )
    with op.batch_alter_table('expected_report', schema=None) as batch_op:
        batch_op.create_index('ix_expected_report_campaign_week_county', ['campaign_id', 'week_start', 'county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expected_report_school_id'), ['school_id'], unique=False)

    op.create_table('report_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('opened_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('expected_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_report_week_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_week')),
    sa.UniqueConstraint('campaign_id', 'week_start', name='uq_report_week_campaign_week')
    )
    op.create_table('weekly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('next_plan', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('first_submitted_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('return_reason', sa.String(length=500), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', bureau.db_types.UTCDateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_weekly_report_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_weekly_report_reviewed_by_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_weekly_report_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_report')),
    sa.UniqueConstraint('school_id', 'campaign_id', 'week_start', name='uq_weekly_report_school_campaign_week')
    )
    with op.batch_alter_table('weekly_report', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_report_campaign_week', ['campaign_id', 'week_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_weekly_report_school_id'), ['school_id'], unique=False)

    op.create_table('weekly_report_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submitted_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('next_plan', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['weekly_report.id'], name=op.f('fk_weekly_report_version_report_id_weekly_report')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_weekly_report_version_school_id_school')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_weekly_report_version_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_report_version')),
    sa.UniqueConstraint('report_id', 'number', name='uq_weekly_report_version_report_number')
    )
    with op.batch_alter_table('weekly_report_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weekly_report_version_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_weekly_report_version_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('weekly_report_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_report_version_school_id'))
        batch_op.drop_index(batch_op.f('ix_weekly_report_version_report_id'))

    op.drop_table('weekly_report_version')
    with op.batch_alter_table('weekly_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_report_school_id'))
        batch_op.drop_index('ix_weekly_report_campaign_week')

    op.drop_table('weekly_report')
    op.drop_table('report_week')
    with op.batch_alter_table('expected_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expected_report_school_id'))
        batch_op.drop_index('ix_expected_report_campaign_week_county')

    op.drop_table('expected_report')
