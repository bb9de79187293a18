import pytest

from models import Role
from tests.staff import log_in, make_staff


@pytest.fixture
def admin(demo_wave):
    return make_staff(Role.admin)


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    log_in(client, admin)
    return client
