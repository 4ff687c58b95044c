"""SQLite as a real embedded database: concurrent requests on one lot wait for each other (IMMEDIATE
transactions, busy timeout, WAL) instead of failing with "database is locked" (500).

A gunicorn server with 4 processes of 2 threads runs on a fresh SQLite file, as `make run` users would
try lotpick with several handhelds; 8 threads send their requests at the same moment.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.processes import django_env, gunicorn, migrate, request, run_python

SEED = """
import json
from rest_framework.authtoken.models import Token
from tests.world import build_world, document
world = build_world()
world.receive(world.lot_wh, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": "2030-01-31"})
docs = [document(world, (world.lot_wh, 2), no=f"SO-C{i}").pk for i in range(8)]
token = Token.objects.create(user=world.supervisor).key
print(json.dumps({"token": token, "documents": docs}))
"""

CHECK = """
import json
from django.db.models import Sum
from picking.models import PostedPick
from warehouse.models import BinContent, WarehouseEntry
print(json.dumps({
    "posted": PostedPick.objects.count(),
    "bin_content": str(BinContent.objects.filter(lot_no="L1").aggregate(s=Sum("quantity"))["s"] or 0),
    "entries": str(WarehouseEntry.objects.filter(lot_no="L1").aggregate(s=Sum("quantity"))["s"] or 0),
}))
"""


def at_once(calls: list[Any]) -> list[Any]:
    """Run the calls in threads that start at the same moment; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="runs its own SQLite file: once, in the SQLite run of the suite",
)
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_requests_on_one_lot_get_no_server_error(tmp_path: Path) -> None:
    # given lotpick on a fresh SQLite file: 10 of lot L1 in stock, 8 orders of 2 each
    env = django_env(f"sqlite:///{tmp_path / 'lotpick.sqlite3'}")
    migrate(env)
    seed = run_python(SEED, env)
    token, documents = seed["token"], seed["documents"]
    with gunicorn(env, tmp_path / "gunicorn.log") as url:
        # when 8 supervisors create the picks at the same moment
        created = at_once(
            [
                lambda doc=doc: request("POST", f"{url}/api/v1/picks/", token, {"source_document": doc})
                for doc in documents
            ]
        )
        # then each gets a pick or a clear refusal, never a server error: 5 picks hold the 10 units
        assert sorted(status for status, _, _ in created) == [201] * 5 + [409] * 3, created
        assert {body["code"] for status, body, _ in created if status == 409} == {"nothing_to_pick"}
        picks = [body["id"] for status, body, _ in created if status == 201]
        # when 8 workers fill in and post those picks at the same moment (three picks twice)
        handled = at_once(
            [
                lambda pick=pick: [
                    request("POST", f"{url}/api/v1/picks/{pick}/autofill-qty-to-handle/", token),
                    request("POST", f"{url}/api/v1/picks/{pick}/post/", token),
                ]
                for pick in [*picks, *picks[:3]]
            ]
        )
    answers = [answer for pair in handled for answer in pair]
    # then every answer is a success or a domain refusal (a pick already posted), none a 500
    assert all(200 <= status < 300 or status in (404, 409) for status, _, _ in answers), answers
    assert sum(1 for status, _, _ in answers[1::2] if status == 201) == 5
    # and the lot left the bin exactly once per pick
    assert run_python(CHECK, env) == {"posted": 5, "bin_content": "0", "entries": "0"}
