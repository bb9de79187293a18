"""job queue: the task that executes a run or an import job, its attempts, and a run's cancellation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Runs and import jobs were executed by a process of their own per job; they are now tasks on a queue (jobs/). A
task whose id is not the row's is ignored; attempts count executions begun, so that a job whose worker was killed
is tried again a limited number of times; an analyst may cancel a run.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('cancel_requested_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('task_id')
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('cancel_requested_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('task_id')
