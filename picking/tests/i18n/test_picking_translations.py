"""The picking app speaks German and Spanish: its messages come from picking/locale, with the same codes.

The catalogues are compiled here when their .mo files are missing or older than the .po files (the
install compiles them too; .mo files are never committed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from core.exceptions import TrackingLocked
from picking.models import Pick, SourceDocument
from picking.services.pick_line_update import pick_line_update
from picking.views.pick_print import pick_list_pdf, print_lines
from tests.world import EXP_LATE, World, make_pick

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues() -> None:
    stale = [
        po
        for po in LOCALE.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command(
            "compilemessages",
            locale=[po.parents[1].name for po in stale],
            ignore_patterns=[".venv", ".git", "node_modules", "*/site-packages/*"],
            verbosity=0,
        )
        # catalogues read before the compilation are cached per language: read them again
        vars(trans_real).update(_translations={}, _default=None, _active=Local())


def _locked_line(world: World) -> int:
    world.receive(world.lot_spec, "A1", {"quantity": 5, "lot_no": "L1"}, {"quantity": 5, "lot_no": "L2"})
    line = make_pick(world, (world.lot_spec, 2, {"tracking": [("", "L1", 2)]})).lines.get()
    assert line.tracking_locked
    return line.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "picks numbers prescribed by the source document (lot L1): only Qty. to Handle can be changed.",
        ),
        (
            "de",
            "vom Herkunftsbeleg vorgegebene Nummern (Charge L1): Nur die zu verarbeitende Menge",
        ),
        (
            "es",
            "prepara números prescritos por el documento origen (lote L1): solo se puede cambiar la cantidad",
        ),
    ],
)
def test_locked_line_refusal_speaks_the_workers_language(world: World, language: str, expected: str) -> None:
    # given a pick line whose lot the source document prescribes
    line_id = _locked_line(world)
    # when the worker tries to take another lot, in their language
    with translation.override(language), pytest.raises(TrackingLocked) as refused:
        pick_line_update(pick_line_id=line_id, user=world.worker, lot_no="L2")
    # then the message is in that language, the code is the same, the line names its item
    assert refused.value.code == "tracking_locked"
    assert expected in refused.value.detail
    assert world.lot_spec.no in refused.value.detail
    assert (
        refused.value.errors[0]["detail"]
        == {"en": "Locked.", "de": "Gesperrt.", "es": "Bloqueado."}[language]
    )


def test_document_and_pick_labels_are_translated() -> None:
    with translation.override("de"):
        assert str(Pick.Type.WAREHOUSE_PICK.label) == "Logistikkommissionierung"
        assert str(SourceDocument.Type.SALES_ORDER.label) == "Verkaufsauftrag"
    with translation.override("es"):
        assert str(Pick.Type.INVENTORY_PICK.label) == "Picking inventario"
        assert str(SourceDocument.Type.SALES_ORDER.label) == "Pedido de venta"
    assert str(Pick.Type.WAREHOUSE_PICK.label) == "Warehouse pick"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "quantity", "date"),
    [("en", b"1.5 x LOT-WH", b"expires 2030-06-30"), ("de", b"1,5 x LOT-WH", b"30.06.2030")],
)
def test_pick_list_pdf_writes_quantities_and_dates_in_the_language(
    world: World, language: str, quantity: bytes, date: bytes
) -> None:
    # given a pick of 1.5 units of a lot that expires on EXP_LATE
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": EXP_LATE})
    pick = make_pick(world, (world.lot_wh, Decimal("1.5")))
    # when its pick list is printed in the language (uncompressed, to read its text)
    with translation.override(language):
        pdf = pick_list_pdf(pick, print_lines(pick))
        pdf.set_compression(False)
        content = bytes(pdf.output())
    # then the quantity and the expiration date are written as that language writes them
    assert quantity in content and date in content
