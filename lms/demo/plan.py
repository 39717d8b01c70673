"""The demo plan's batches (年度计划班次, 分类分批): the year's programs in classes by organization
type and situation, each linked to the demo courses that run it.

A batch is found by its name in the plan; only missing batches are created (with their courses),
so loading again adds nothing and keeps whatever HR changed in the admin."""

import datetime
from decimal import Decimal

from courses.models import CoursePage, ProgramPage
from lms.learning.models import PlannedBatch
from lms.people.models import CadreCategory, OrgType

SECRETARIES = {"org_types": [OrgType.COMMUNITY, OrgType.VILLAGE],
               "categories": [CadreCategory.COMMUNITY_SECRETARY, CadreCategory.VILLAGE_SECRETARY]}
TWO_NEW = {"org_types": [OrgType.TWO_NEW], "categories": [CadreCategory.TWO_NEW_SECRETARY]}
YOUNG_AGENCY_CADRES = {"org_types": [OrgType.AGENCY], "categories": [CadreCategory.AGENCY_CADRE]}
FORUM_ORGANIZER = "区委组织部、区委党校"


def _forum(number, quarter, month, day):
    return {"program": "head-goose-forum", "name": f"第{'一二三四'[number - 1]}期 头雁讲坛（{quarter}）", **SECRETARIES,
            "starts_on": (month, day), "ends_on": (month, day), "planned_trainees": 127, "planned_days": "1",
            "planned_hours": "6", "organizer": FORUM_ORGANIZER, "courses": [f"2026-q{number}"],
            "notes": "线下集中授课同步网络直播，全区社区、村党组织书记全员参加。"}


# (program slug, fields) of each batch; dates are (month, day) in the plan's year; courses are the
# slugs of the program's courses that realise the batch (linked when they run in the plan's year).
BATCHES = [
    _forum(1, "第一季度", 3, 20), _forum(2, "第二季度", 6, 19), _forum(3, "第三季度", 9, 18), _forum(4, "第四季度", 12, 18),
    {"program": "demonstration-classroom", "name": "第一期 两新组织书记示范课堂（上半年）", **TWO_NEW,
     "starts_on": (5, 22), "ends_on": (5, 22), "planned_trainees": 20, "planned_days": "1", "planned_hours": "6",
     "organizer": "区委组织部、区委两新工委", "courses": ["2026-h1"]},
    {"program": "demonstration-classroom", "name": "第二期 两新组织书记示范课堂（下半年）", **TWO_NEW,
     "starts_on": (11, 13), "ends_on": (11, 13), "planned_trainees": 20, "planned_days": "1", "planned_hours": "6",
     "organizer": "区委组织部、区委两新工委", "courses": ["2026-h2"]},
    {"program": "secretary-class", "name": "第一期 社区(村)书记班", **SECRETARIES,
     "starts_on": (4, 13), "ends_on": (6, 26), "planned_trainees": 120, "planned_days": "4", "planned_hours": "24",
     "organizer": "南京师范大学（校地党建联盟）", "courses": ["2026-cohort-1"],
     "notes": "校地党建联盟合作办班：4天脱产集中学习，线上课程与结业考试。"},
    {"program": "topical", "name": "新任社区(村)书记专题班", **SECRETARIES, "newly_appointed_only": True,
     "starts_on": (7, 8), "ends_on": (7, 9), "planned_trainees": 25, "planned_days": "2", "planned_hours": "12",
     "organizer": "区委组织部", "courses": ["2026-newly-appointed"],
     "notes": "面向换届及补选后新任职一年内的书记：履职第一课、“三会一课”实务。"},
    {"program": "topical", "name": "机关年轻干部选派社区任职岗前培训班", **YOUNG_AGENCY_CADRES,
     "starts_on": (12, 7), "ends_on": (12, 11), "planned_trainees": 15, "planned_days": "5", "planned_hours": "30",
     "organizer": "区委组织部干部科", "courses": [],
     "notes": "选派名单确定后开班，结合挂职/选派安排；课程由培训科另行发布。"},
]


def ensure_batches(plan):
    """The plan's demo batches; returns how many were created."""
    programs = {page.slug: page for page in ProgramPage.objects.all()}
    existing = set(plan.batches.values_list("name", flat=True))
    program_slugs = {page.path: slug for slug, page in programs.items()}
    courses = {(program_slugs.get(course.path[:-CoursePage.steplen]), course.slug): course
               for course in CoursePage.objects.filter(year=plan.year)}
    created = 0
    for order, spec in enumerate(BATCHES):
        if spec["name"] in existing:
            continue
        fields = {key: value for key, value in spec.items() if key not in ("program", "courses")}
        fields["starts_on"] = datetime.date(plan.year, *spec["starts_on"])
        fields["ends_on"] = datetime.date(plan.year, *spec["ends_on"])
        fields["planned_days"] = Decimal(spec["planned_days"])
        fields["planned_hours"] = Decimal(spec["planned_hours"])
        batch = PlannedBatch(plan=plan, program=programs.get(spec["program"]), sort_order=order, **fields)
        batch.full_clean()
        batch.courses.set([courses[spec["program"], slug] for slug in spec["courses"]
                           if (spec["program"], slug) in courses])
        batch.save()  # writes the batch and its parental courses together
        created += 1
    return created
