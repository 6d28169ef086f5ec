"""One Ralph LRS for the whole session; each test has a BASE_URL (so ids) of its own."""

import uuid

import pytest

from tests.xapi import harness


@pytest.fixture(scope="session")
def ralph(tmp_path_factory):
    lrs = harness.start(tmp_path_factory.mktemp("ralph"))
    yield lrs
    lrs.stop()


@pytest.fixture
def base_url():
    return f"https://residency-{uuid.uuid4().hex[:10]}.test"


@pytest.fixture
def app_config(ralph, base_url):
    return {"XAPI_ENDPOINTS": [ralph.endpoint()], "BASE_URL": base_url}
