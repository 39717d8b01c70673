import datetime
from decimal import Decimal

import pytest

from lms.learning.models import AnnualPlan, CreditEntry, CreditRule, Delivery, PlanRequirement

D = Decimal


@pytest.fixture
def earn():
    def earn(person, year, hours, delivery=Delivery.IN_PERSON, title="培训", course=None):
        return CreditEntry.objects.create(
            person=person, year=year, source_key=f"manual:{CreditEntry.objects.count()}", source_title=title,
            delivery=delivery, hours=D(hours), rule=CreditRule.MANUAL, course=course,
            earned_at=datetime.datetime(year, 5, 1, 10, tzinfo=datetime.UTC))
    return earn


@pytest.fixture
def require():
    def require(plan, category="", level="", **hours):
        return PlanRequirement.objects.create(plan=plan, cadre_category=category, level=level,
                                              **{k: D(v) for k, v in hours.items()})
    return require


@pytest.fixture
def plan_2026(db):
    return AnnualPlan.objects.create(year=2026, title="2026年度干部教育培训计划")


@pytest.fixture
def certify(db, settings, tmp_path):
    """Issue a real certificate (rendered, stored and committed by lms.certificates.issuing) with a
    plain district-default template. `issued_on` dates it in another year, as if issued then;
    `revoke`/`reissue` go through the certificate's own methods."""
    from lms.certificates import issuing
    from lms.certificates.models import Certificate, CertificateTemplate

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://touyan.example.cn"
    CertificateTemplate.objects.get_or_create(name="结业证书", defaults={"is_district_default": True})

    def certify(person, course, *, issued_on=None, revoke=False, reissue=False):
        certificate, created = issuing.issue(person, course)
        assert created
        if issued_on:
            Certificate.objects.filter(pk=certificate.pk).update(
                issued_on=issued_on, issued_at=datetime.datetime.combine(issued_on, datetime.time(10), datetime.UTC))
            certificate.refresh_from_db()
        if revoke:
            certificate.revoke("考核成绩作废")
        if reissue:
            certificate = certificate.reissue()
        return certificate

    return certify
