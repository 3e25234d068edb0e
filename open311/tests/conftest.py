import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded media go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def hotline(world) -> str:
    """The api_key of an outside system (a 12345 platform) whose service account has no role."""
    from open311.tests.helpers import make_key

    return make_key("hotline-12345")
