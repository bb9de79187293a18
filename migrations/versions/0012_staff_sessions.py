"""staff sessions: a server-side record per staff login

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

A staff login now lives in a record that logging out ends, with an idle timeout and a longest lifetime; the
cookie holds only a random id (the record its hash). The per-account session_version that "log out everywhere"
raised is replaced by ending the account's records, so it goes. Sessions from before this revision carry no id
and end: everyone logs in once more.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_staff_session_user_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    # Not in batch mode: on SQLite a batch copies staff_user and drops the original, and with foreign keys on that
    # drop would empty or cascade into every table referring to staff members. SQLite 3.35+ drops a plain column
    # in place.
    op.drop_column('staff_user', 'session_version')


def downgrade():
    op.add_column('staff_user', sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_session_created_at'))

    op.drop_table('staff_session')
