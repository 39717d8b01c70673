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
