"""
The only place the app reaches into Django's private API, each use because
no public API answers the question; archive/tests/test_compat.py checks every
one, so that a Django upgrade that changes them fails there.
"""

from django.core.cache.backends.redis import RedisCacheClient


def is_new_upload(field_file):
    """
    Whether `field_file` (a FileField's value) holds a file uploaded but not
    yet stored: Django keeps this only in the private FieldFile._committed.
    """
    return bool(field_file) and not field_file._committed


class KeptRedisClient(RedisCacheClient):
    """
    Django's Redis client, keeping one redis.Redis for each server: Django's
    builds a new one (with its table of reply parsers) for every cache call,
    a large part of what a page served from the cache costs. Its
    pools and client class are in the private _get_connection_pool() and
    _client.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self.kept:
            self.kept[pool] = self._client(connection_pool=pool)
        return self.kept[pool]


def keep_redis_clients(cache):
    """
    Makes the RedisCache `cache` use KeptRedisClient: Django names its
    client class only in the private RedisCache._class.
    """
    cache._class = KeptRedisClient
