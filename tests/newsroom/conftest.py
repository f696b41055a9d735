import pytest
from django.core.cache import cache

from newsroom import cache_keys

OUR_KEYS = [cache_keys.NAV_SECTIONS, *cache_keys.live_appeal_keys(), cache_keys.RUNNING_TEST]


@pytest.fixture(autouse=True)
def _forget_cached_rows():
    # Redis outlives each test's rolled-back transaction, so cached rows would leak
    # between tests. Only our keys: clear() would flush the whole Redis database.
    cache.delete_many(OUR_KEYS)
    yield
    cache.delete_many(OUR_KEYS)


@pytest.fixture(autouse=True)
def _no_appeal_counts_left():
    # Appeal test counters live in Redis, which outlives each test's database.
    from newsroom.counting import COUNTS_KEY, PENDING_BATCHES_KEY, _redis

    client = _redis()
    for batch in client.smembers(cache.make_key(PENDING_BATCHES_KEY)):
        client.delete(cache.make_key(batch.decode()))
    client.delete(cache.make_key(COUNTS_KEY), cache.make_key(PENDING_BATCHES_KEY))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="editor", password="pw-editor", is_staff=True
    )
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        username="boss", email="boss@example.org", password="pw-boss"
    )
    client.force_login(user)
    return client
