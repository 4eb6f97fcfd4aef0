"""
Each process learns the page cache's generation from Redis pub/sub, so that
a page it holds in memory is served with no round trip to Redis: that round
trip was most of what a cached page cost (docs/performance.md).

The promise stays "never stale": a page is never served after the change
that made it old has been committed and the editor's request has returned.

- A process trusts the generation it knows only for LEASE_SECONDS after it
  sent a PING that Redis answered on the subscription's own connection:
  that answer comes after every message published before it, each of which
  the process has acted on (read the generation again) before it reads the
  answer. Untrusted (not yet subscribed, Redis slow or gone), a request asks
  Redis, as it always did.
- After a change, announce() publishes and waits until every subscribed
  process has acknowledged that it read the new generation, or else until
  LEASE_SECONDS after Redis answered the publish, when whoever did not
  acknowledge no longer trusts what it knew.
"""

import logging
import os
import threading
import time
import uuid

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# How long an answered PING lets a process trust its generation, and how
# often it sends one: a few times a lease, so that a busy process keeps it.
LEASE_SECONDS = 1.0
PING_SECONDS = LEASE_SECONDS / 4
# How long a process waits before subscribing again after a failure.
RETRY_SECONDS = 1.0
# How long an acknowledgement nobody waits for any more is kept.
ACK_SECONDS = 10


class Subscription:
    """
    One process's knowledge of the generation. `read()` reads the
    generation from Redis (None when it cannot); `channel` is the site's own.
    """

    def __init__(self, url, channel, read, unsure=None):
        self.url, self.channel, self.read = url, channel, read
        # Called when the subscription breaks, and when one is made again after
        # that, before the generation is read and trusted: the Redis reached
        # meanwhile may have started anew from an old save.
        self.unsure, self.broke = unsure, False
        self.generation, self.trusted_until = None, 0.0
        self.pid, self.listening, self.lock = None, None, threading.Lock()
        self.client, self.client_pid = None, None

    def connect(self):
        # No retry inside redis-py: a connection made again silently would
        # have missed the messages sent meanwhile.
        return redis.Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),
            socket_timeout=LEASE_SECONDS * 2,
            socket_connect_timeout=LEASE_SECONDS,
        )

    def current(self):
        """The generation if it is known to be current, else None (ask Redis)."""
        if self.pid != os.getpid():
            self.start()
            return None
        if time.monotonic() < self.trusted_until:
            return self.generation
        return None

    def start(self):
        """Listens in a thread of this process (a forked worker starts its own)."""
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid, self.generation, self.trusted_until = os.getpid(), None, 0.0
            self.listening = threading.Thread(
                target=self.run, name="pagecache-subscription", daemon=True
            )
            self.listening.start()

    def stop(self):
        """Stops listening (the thread ends within PING_SECONDS): for tests."""
        with self.lock:
            self.listening, self.trusted_until = None, 0.0

    def run(self):
        while self.listening is threading.current_thread():
            try:
                self.listen()
            except (redis.RedisError, OSError) as error:
                logger.debug("Page cache subscription lost: %s", error)
                # Once as it breaks, not on each failed attempt while Redis is away.
                if not self.broke and self.unsure is not None:
                    self.unsure()
                self.broke = True
            except ValueError as error:
                logger.debug("Page cache subscription not made: %s", error)
            self.trusted_until = 0.0
            time.sleep(RETRY_SECONDS)

    def listen(self):
        with self.connect().pubsub() as pubsub:
            pubsub.subscribe(self.channel)
            self.receive(pubsub, "subscribe", time.monotonic() + LEASE_SECONDS)
            if self.broke and self.unsure is not None:
                self.unsure()
            self.broke = False
            # Read after subscribing: a change made before is in it, one made after is a message.
            self.learn()
            while self.listening is threading.current_thread():
                sent = time.monotonic()
                pubsub.ping()
                self.receive(pubsub, "pong", sent + LEASE_SECONDS)
                if self.listening is threading.current_thread():
                    self.trusted_until = sent + LEASE_SECONDS
                while (left := sent + PING_SECONDS - time.monotonic()) > 0:
                    if message := pubsub.get_message(timeout=left):
                        self.handle(message)

    def receive(self, pubsub, kind, deadline):
        """Acts on every message until the reply of `kind` comes, or fails at `deadline`."""
        while (left := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=left)
            if message and message["type"] == kind:
                return
            if message:
                self.handle(message)
        raise redis.TimeoutError(f"no {kind} from Redis within the lease")

    def handle(self, message):
        if message["type"] != "message":
            return
        self.learn()
        key = ack_key(self.channel, message["data"].decode())
        with self.publisher().pipeline() as pipe:
            pipe.rpush(key, 1).expire(key, ACK_SECONDS).execute()

    def learn(self):
        generation = self.read()
        if generation is None:
            raise ValueError("the generation is not in Redis")
        self.generation = generation

    def announce(self, wait=True):
        """
        Tells every process that the generation in Redis has changed, and,
        with `wait`, returns once none of them can serve a page of the one
        before.
        """
        client = self.publisher()
        token = uuid.uuid4().hex
        key = ack_key(self.channel, token)
        try:
            listeners = client.publish(self.channel, token)
            if not wait:
                return
            deadline = time.monotonic() + LEASE_SECONDS
            acknowledged = 0
            while acknowledged < listeners and (left := deadline - time.monotonic()) > 0:
                if client.blpop([key], timeout=left) is None:
                    break
                acknowledged += 1
            if acknowledged < listeners:
                time.sleep(max(0.0, deadline - time.monotonic()))
            client.delete(key)
            uptime = client.info("server")["uptime_in_seconds"]
            if uptime <= LEASE_SECONDS:
                # Redis has just started again: who listened to the one before
                # heard nothing, and trusts what it knew until its lease ends.
                time.sleep(LEASE_SECONDS + 1 - uptime)
        except (redis.RedisError, OSError) as error:
            # As a write the cache missed: every process reads the database's
            # generation within GENERATION_CHECK_SECONDS.
            logger.debug("Page cache generation not announced: %s", error)

    def publisher(self):
        """This process's client for publishing and acknowledging."""
        with self.lock:
            if self.client is None or self.client_pid != os.getpid():
                self.client, self.client_pid = self.connect(), os.getpid()
            return self.client


def ack_key(channel, token):
    return f"{channel}:ack:{token}"
