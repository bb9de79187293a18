"""job heartbeat: when a worker last said it still executes a run or an import job

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

With several workers on one queue (one per application server), a worker that starts cannot tell a job whose worker
was killed from a job another worker is doing. Each worker renews the heartbeat of the jobs it executes; a running
job whose heartbeat is older than JOB_LEASE lost its worker and is taken up again (jobs.tasks.recover_interrupted).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
