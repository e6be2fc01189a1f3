"""Running one function from N threads at once, for the PostgreSQL concurrency tests."""

import threading

from django.db import connection


def run_threads(n, fn):
    """Call fn(i) for i in 0..n-1, each in its own thread and database connection, all released by
    one barrier; fails the test with the errors any thread raised."""
    barrier = threading.Barrier(n)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            fn(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
