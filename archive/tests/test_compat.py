"""archive/compat.py: what the app reads from Django's private API still means the same."""

import redis
from django.core.cache.backends.redis import RedisCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase

from archive.compat import KeptRedisClient, is_new_upload, keep_redis_clients
from archive.models import Image


class NewUploadTests(SimpleTestCase):
    def test_a_file_just_uploaded_is_new(self):
        image = Image(file=SimpleUploadedFile("photo.jpg", b"not stored yet"))
        self.assertTrue(is_new_upload(image.file))

    def test_a_stored_file_is_not_new(self):
        self.assertFalse(is_new_upload(Image(file="images/photo.jpg").file))

    def test_no_file_is_not_new(self):
        self.assertFalse(is_new_upload(Image().file))


class KeptRedisClientTests(SimpleTestCase):
    """No Redis needed: a client is built, not connected (test_faults uses a live one)."""

    def test_the_cache_builds_its_client_from_the_kept_client_class(self):
        cache = RedisCache("redis://127.0.0.1:6379/13", {})
        keep_redis_clients(cache)
        self.assertIsInstance(cache._cache, KeptRedisClient)
        client = cache._cache.get_client()
        self.assertIsInstance(client, redis.Redis)
        self.assertEqual(client.connection_pool.connection_kwargs["db"], 13)
