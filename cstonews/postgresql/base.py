import select

from django.db.backends.postgresql import base
from psycopg import pq

from archive import breaker


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        # A server that failed this process a moment ago is not dialled again
        # yet: a stalled one would hold each request for the connect timeout.
        if breaker.is_open():
            raise breaker.DatabaseResting("the database failed a moment ago; not asked again yet")
        return super().get_new_connection(conn_params)

    def is_usable(self):
        """
        Whether a kept connection still works. Django asks at each request's
        first query (CONN_HEALTH_CHECKS) and sends SELECT 1 to find out: a
        round trip to the database on every page, a measurable share of an
        item page under load (docs/performance.md).

        An idle connection tells without one. A server that ends a
        connection (a restart, an idle timeout, pg_terminate_backend) sends
        a last message and closes its end, so something waits to be read;
        on a working idle connection nothing does. Where that is so, or the
        connection is not idle, Django's query decides.
        """
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        waiting = select.poll()
        waiting.register(connection.fileno(), select.POLLIN)
        return not waiting.poll(0) or super().is_usable()
