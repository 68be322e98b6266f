"""session tokens on users; sign-in throttle: attempt client key, lock rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

import bureau.db_types

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable first, a distinct random token per existing user, then NOT NULL: works on a
    # PostgreSQL database holding users as well as on SQLite (batch mode copies the table).
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    tokens = [{"uid": user_id, "token": secrets.token_urlsafe(32)}
              for (user_id,) in connection.execute(sa.select(user.c.id))]
    if tokens:  # one executemany, not a round trip per user
        connection.execute(user.update().where(user.c.id == sa.bindparam('uid'))
                           .values(session_token=sa.bindparam('token')), tokens)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_login_attempt_client_at', ['client', 'at'], unique=False)
        batch_op.create_index('ix_login_attempt_at', ['at'], unique=False)

    op.create_table('login_lock',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('touched_at', bureau.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_lock'))
    )
    with op.batch_alter_table('login_lock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_lock_touched_at'), ['touched_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_lock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_lock_touched_at'))
    op.drop_table('login_lock')

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_at')
        batch_op.drop_index('ix_login_attempt_client_at')
        batch_op.drop_column('client')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_token')
