"""The unit that keeps the workshops is a flag on the organisation, not a word in its name."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.admin.sites import site

from orgs.models import Organisation, OrgKind

migration = importlib.import_module("orgs.migrations.0003_organisation_keeps_workshops")


def test_the_data_migration_flags_departments_named_organisation_department(db):
    zzb = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="中共德化县委组织部")
    tax = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="德化县税务局")
    branch = Organisation.objects.create(kind=OrgKind.PARTY_BRANCH, name="某村党支部组织部")
    migration.flag_organisation_departments(apps, None)
    flagged = set(Organisation.objects.filter(keeps_workshops=True).values_list("pk", flat=True))
    assert flagged == {zzb.pk}
    assert tax.pk not in flagged and branch.pk not in flagged


def test_a_new_organisation_does_not_keep_the_workshops(db):
    unit = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="中共某县委组织部")
    assert unit.keeps_workshops is False


def test_the_admin_lists_and_filters_the_flag(admin_client, db):
    model_admin = site._registry[Organisation]
    assert "keeps_workshops" in model_admin.list_display
    assert "keeps_workshops" in model_admin.list_filter
    Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="中共德化县委组织部", keeps_workshops=True
    )
    page = admin_client.get("/admin/orgs/organisation/?keeps_workshops__exact=1")
    assert page.status_code == 200
    assert "中共德化县委组织部" in page.content.decode()
    form = admin_client.get("/admin/orgs/organisation/add/")
    assert "keeps_workshops" in form.content.decode()
