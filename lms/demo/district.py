"""The demo district as data: 栖霞区 with its streets, communities and villages, agency departments,
the internet-industry party committee with its "two new" organizations, and the school-local party
building alliance with its universities. The demo accounts are declared here too.

Everything is keyed on a stable code (organizations) or phone/username (people), so loading the
data again finds what is already there and changes nothing. Community names are plausible, not an
official roster."""

from lms.people import roles
from lms.people.models import CadreCategory, CadreLevel, OrgType, Post

DEMO_PASSWORD = "touyan-demo"

# Names and phone numbers of the demo people are deterministic: one seeded Faker, fixed blocks.
FAKER_SEED = 20260101
PHONE_PREFIX = "139"  # demo people: 139 + 4-digit block + 4-digit number

DISTRICT = {"code": "QX", "name": "栖霞区", "short_name": "栖霞", "org_type": OrgType.DISTRICT}

C, V = OrgType.COMMUNITY, OrgType.VILLAGE

# (code, name, short name, [(community or village name, type), ...]); 127 in all.
STREETS = [
    ("QX-YH", "尧化街道", "尧化", [
        ("尧化门社区", C), ("尧林仙居社区", C), ("新城佳园社区", C), ("尧辰社区", C), ("尧新社区", C),
        ("金尧社区", C), ("尧佳社区", C), ("吉祥庵社区", C), ("翠林山庄社区", C), ("尧石社区", C),
        ("甘泉社区", C), ("尧化新村社区", C), ("尧顺社区", C), ("尧安社区", C), ("仙居社区", C),
        ("花园社区", C),
    ]),
    ("QX-MQ", "马群街道", "马群", [
        ("马群社区", C), ("百水社区", C), ("花港社区", C), ("紫东社区", C), ("青马社区", C),
        ("钟山社区", C), ("五棵松社区", C), ("马群新村社区", C), ("百水芊城社区", C), ("紫金东郡社区", C),
        ("运粮河社区", C), ("青龙山社区", C), ("天华社区", C), ("恒通社区", C),
    ]),
    ("QX-MGQ", "迈皋桥街道", "迈皋桥", [
        ("迈皋桥社区", C), ("和燕路社区", C), ("万寿社区", C), ("华电社区", C), ("德盈社区", C),
        ("伊刘社区", C), ("晓庄社区", C), ("凤凰花园城社区", C), ("迈化社区", C), ("五所村社区", C),
        ("南化社区", C), ("长营社区", C), ("寅春社区", C), ("迈尧社区", C), ("华盛社区", C),
        ("金燕社区", C), ("迈皋新村社区", C), ("合班社区", C),
    ]),
    ("QX-YZJ", "燕子矶街道", "燕子矶", [
        ("燕子矶社区", C), ("太平村社区", C), ("笆斗山社区", C), ("燕华社区", C), ("燕新社区", C),
        ("幕府山社区", C), ("永济社区", C), ("燕景社区", C), ("燕苑社区", C), ("燕华花园社区", C),
        ("燕南社区", C), ("燕北社区", C), ("金陵新村社区", C), ("泰来社区", C), ("燕江社区", C),
        ("燕尧社区", C),
    ]),
    ("QX-QX", "栖霞街道", "栖霞", [
        ("栖霞社区", C), ("栖霞山社区", C), ("摄山星城社区", C), ("东阳社区", C), ("石埠桥社区", C),
        ("甘家巷社区", C), ("栖霞新村社区", C), ("江南社区", C), ("栖锦社区", C), ("摄山社区", C),
        ("新合村", V), ("兴卫村", V), ("十月村", V),
    ]),
    ("QX-BGZ", "八卦洲街道", "八卦洲", [
        ("八卦洲社区", C), ("洲岛社区", C),
        ("大同村", V), ("七里村", V), ("上坝村", V), ("中桥村", V), ("外沙村", V), ("永乐村", V),
        ("新闸村", V), ("大江村", V),
    ]),
    ("QX-LT", "龙潭街道", "龙潭", [
        ("龙潭社区", C), ("港城社区", C), ("龙潭新城社区", C), ("龙港社区", C),
        ("营防村", V), ("花园村", V), ("东城村", V), ("西城村", V), ("营盘村", V), ("谢家村", V),
        ("东方村", V), ("张家村", V), ("靖安村", V), ("新塘村", V), ("疏港村", V),
    ]),
    ("QX-XL", "仙林街道", "仙林", [
        ("仙林湖社区", C), ("文苑社区", C), ("学则路社区", C), ("东方天郡社区", C), ("仙鹤社区", C),
        ("白象社区", C), ("灵山社区", C), ("羊山湖社区", C), ("亚东社区", C), ("仙龙湾社区", C),
        ("仙林新村社区", C), ("九乡河社区", C), ("仙境社区", C), ("仙隐社区", C), ("纬地社区", C),
        ("元化社区", C),
    ]),
    ("QX-XG", "西岗街道", "西岗", [
        ("西岗社区", C), ("东岗社区", C), ("衡阳社区", C), ("桂山社区", C),
        ("桦墅村", V), ("青龙村", V), ("摄山村", V), ("果园村", V), ("岗山村", V),
    ]),
]


def community_code(street_code, number):
    return f"{street_code}-{number:02d}"


# Agency departments of the district (机关部门): (code, name, short name).
AGENCIES = [
    ("QX-AG-ZZB", "区委组织部", "组织部"),
    ("QX-AG-XCB", "区委宣传部", "宣传部"),
    ("QX-AG-SGB", "区委社会工作部", "社工部"),
    ("QX-AG-MZJ", "区民政局", "民政局"),
    ("QX-AG-RSJ", "区人社局", "人社局"),
]

INDUSTRY_COMMITTEE = {"code": "QX-IND-HLW", "name": "栖霞区互联网行业党委", "short_name": "互联网行业党委",
                      "org_type": OrgType.INDUSTRY_COMMITTEE}

# The internet companies under the industry committee (fictional names).
INTERNET_COMPANIES = [
    "南京栖云网络科技有限公司", "南京仙林数智科技有限公司", "南京紫东信息技术有限公司",
    "南京燕矶软件有限公司", "南京尧天云计算有限公司", "南京栖霞山数字传媒有限公司",
    "南京迈皋电子商务有限公司", "南京仙湖人工智能科技有限公司", "南京龙潭智慧物流科技有限公司",
    "南京洲岛农业互联网有限公司", "南京紫金山网络安全技术有限公司", "南京摄山文化创意网络有限公司",
    "南京百水在线教育科技有限公司", "南京灵山互动娱乐科技有限公司", "南京新港工业互联网有限公司",
    "南京栖智大数据有限公司", "南京仙鹤健康科技有限公司",
]


def internet_company_code(number):
    return f"QX-TN-{number:02d}"


# Social organizations (the other kind of "two new" organization), under their street.
SOCIAL_ORGANIZATIONS = [
    ("QX-TN-18", "QX-YH", "尧化街道邻里互助协会"),
    ("QX-TN-19", "QX-XL", "仙林街道社会工作服务中心"),
    ("QX-TN-20", "QX-MGQ", "迈皋桥街道商会"),
]

ALLIANCE = {"code": "QX-ALLIANCE", "name": "栖霞区校地党建联盟", "short_name": "校地党建联盟",
            "org_type": OrgType.ALLIANCE}

# The universities of the school-local party building alliance (仙林大学城 and around).
UNIVERSITIES = [
    "南京大学", "南京师范大学", "南京邮电大学", "南京财经大学", "南京中医药大学", "南京理工大学",
    "南京农业大学", "南京体育学院", "南京晓庄学院", "南京森林警察学院", "南京特殊教育师范学院",
    "江苏第二师范学院", "南京信息职业技术学院", "南京工业职业技术大学", "南京铁道职业技术学院",
    "南京城市职业学院", "应天职业技术学院", "南京理工大学紫金学院",
]


def university_code(number):
    return f"QX-U-{number:02d}"


# People per organization, besides the secretaries.
PARTY_MEMBERS_PER_COMMUNITY = 3
AGENCY_CADRES_PER_AGENCY = 3

# Phone blocks (139 + block + number) so that every demo person has a stable, unique phone.
PHONE_BLOCK_ACCOUNTS = 0
PHONE_BLOCK_SECRETARIES = 1
PHONE_BLOCK_MEMBERS = 2
PHONE_BLOCK_TWO_NEW = 3
PHONE_BLOCK_AGENCY = 4


def demo_phone(block, number):
    return f"{PHONE_PREFIX}{block:04d}{number:04d}"


# Every secretary whose position in the district list is a multiple of this was appointed within
# the last year (newly appointed, 新任), and so is the demo secretary.
NEWLY_APPOINTED_EVERY = 6

# The demo secretary is the secretary of the first community of this street.
DEMO_SECRETARY_STREET = "QX-YH"

# Staff demo accounts: username, name, organization code, post, category, level, groups.
STAFF_ACCOUNTS = [
    {"username": "demo-trainer", "name": "周明", "organization": "QX-AG-ZZB", "post": Post.STAFF,
     "cadre_category": CadreCategory.AGENCY_CADRE, "level": CadreLevel.STAFF_MEMBER, "groups": [roles.TRAINER]},
    {"username": "demo-office", "name": "陈静", "organization": "QX", "post": Post.STAFF,
     "cadre_category": CadreCategory.AGENCY_CADRE, "level": CadreLevel.SECTION, "groups": [roles.TRAINING_OFFICE]},
    {"username": "demo-hr", "name": "刘洋", "organization": "QX", "post": Post.STAFF,
     "cadre_category": CadreCategory.AGENCY_CADRE, "level": CadreLevel.DEPUTY_SECTION, "groups": [roles.HR]},
    {"username": "demo-street-admin", "name": "孙磊", "organization": "QX-YH", "post": Post.STAFF,
     "cadre_category": CadreCategory.AGENCY_CADRE, "level": CadreLevel.STAFF_MEMBER,
     "groups": [roles.STREET_ADMIN]},
    {"username": "admin", "name": "系统管理员", "organization": "QX", "post": Post.STAFF,
     "cadre_category": CadreCategory.AGENCY_CADRE, "level": CadreLevel.NONE, "groups": [], "superuser": True},
]
DEMO_SECRETARY_USERNAME = "demo-secretary"
DEMO_SECRETARY_NAME = "张建华"


def organization_rows():
    """Every demo organization as (parent code or None, code, name, short name, type), parents first."""
    rows = [(None, DISTRICT["code"], DISTRICT["name"], DISTRICT["short_name"], DISTRICT["org_type"])]
    for code, name, short_name, _communities in STREETS:
        rows.append(("QX", code, name, short_name, OrgType.STREET))
    for code, name, short_name in AGENCIES:
        rows.append(("QX", code, name, short_name, OrgType.AGENCY))
    rows.append(("QX", INDUSTRY_COMMITTEE["code"], INDUSTRY_COMMITTEE["name"], INDUSTRY_COMMITTEE["short_name"],
                 INDUSTRY_COMMITTEE["org_type"]))
    rows.append(("QX", ALLIANCE["code"], ALLIANCE["name"], ALLIANCE["short_name"], ALLIANCE["org_type"]))
    for street_code, _name, _short, communities in STREETS:
        for number, (name, org_type) in enumerate(communities, start=1):
            rows.append((street_code, community_code(street_code, number), name, "", org_type))
    for number, name in enumerate(INTERNET_COMPANIES, start=1):
        rows.append((INDUSTRY_COMMITTEE["code"], internet_company_code(number), name, "", OrgType.TWO_NEW))
    for code, street_code, name in SOCIAL_ORGANIZATIONS:
        rows.append((street_code, code, name, "", OrgType.TWO_NEW))
    for number, name in enumerate(UNIVERSITIES, start=1):
        rows.append((ALLIANCE["code"], university_code(number), name, "", OrgType.UNIVERSITY))
    return rows
