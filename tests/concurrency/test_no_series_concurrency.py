"""PostgreSQL: 8 threads drawing numbers from one series at once never get the same number."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tracking.models import NoSeries
from tracking.services import no_series_create, no_series_take

THREADS = 8
ROUNDS = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_draw_numbers_without_duplicates() -> None:
    # given one number series
    no_series_create(code="CONC", starting_no="SN-00001")
    barrier = threading.Barrier(THREADS)
    drawn: list[list[str]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []

    def draw(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for round_no in range(ROUNDS):
                # when every thread takes 1 or 3 numbers at the same moment, many times
                drawn[index].extend(no_series_take(code="CONC", count=1 + (round_no + index) % 3))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    # then no number was handed out twice and none was skipped
    numbers = [n for per_thread in drawn for n in per_thread]
    assert len(numbers) == len(set(numbers))
    expected = [f"SN-{i:05d}" for i in range(1, len(numbers) + 1)]
    assert sorted(numbers) == expected
    assert NoSeries.objects.get(code="CONC").last_no_used == expected[-1]
    assert connection.vendor == "postgresql"
