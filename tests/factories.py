"""factory_boy factories: one way to make each model's rows. Scenario data is built from them by
tests/world.py (`build_world`); tests use the world, and a factory only for a row the world does not make."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from picking import models as pm
from tracking import models as tm
from warehouse import models as wm

PASSWORD = "secret-pass-123"  # every user's password (browser tests log in with it)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            grant_roles([(obj, role) for role in extracted])


def grant_roles(grants: Iterable[tuple[Any, str]]) -> None:
    """Put each (user, role) user into the role's group, in one statement."""
    grants = list(grants)
    groups = dict(Group.objects.filter(name__in={role for _, role in grants}).values_list("name", "pk"))
    Membership = get_user_model().groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=groups[role]) for user, role in grants], ignore_conflicts=True
    )


class ItemTrackingCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tm.ItemTrackingCode
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ITC{n}")


class NoSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tm.NoSeries
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"NS{n}")
    starting_no = "SN-0001"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LOC{n}")
    name = factory.LazyAttribute(lambda o: f"Location {o.code}")
    require_pick = True
    require_shipment = False
    bin_mandatory = True


class BinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Bin
        django_get_or_create = ("location", "code")

    location = factory.SubFactory(LocationFactory)
    code = factory.Sequence(lambda n: f"B{n:03d}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Item
        django_get_or_create = ("no",)

    no = factory.Sequence(lambda n: f"ITEM{n}")
    description = factory.LazyAttribute(lambda o: f"Item {o.no}")
    tracking_code = None


class WarehouseEmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.WarehouseEmployee
        django_get_or_create = ("user", "location")

    user = factory.SubFactory(UserFactory)
    location = factory.SubFactory(LocationFactory)


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.SourceDocument

    type = pm.SourceDocument.Type.SALES_ORDER
    no = factory.Sequence(lambda n: f"SO{n:05d}")
    location = factory.SubFactory(LocationFactory)
    partner = "Cronus Cardoxy"
    shipment_date = datetime.date(2026, 12, 1)


class SourceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.SourceLine

    document = factory.SubFactory(SourceDocumentFactory)
    line_no = factory.Sequence(lambda n: (n + 1) * 10000)
    item = factory.SubFactory(ItemFactory)
    quantity = Decimal(1)
