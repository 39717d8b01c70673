"""The demo catalogue as data: the district's five standing programs, their 2026 course runs and
a few reading lessons each. Pages are keyed on their slug under their parent.

`audience` names the group the loader enrols in a course (see lms.demo.enrolments.AUDIENCES);
None means nobody is enrolled by the loader (self-enrolment courses)."""

import datetime
from decimal import Decimal

from courses.models import Cadence, CreditBasis, EnrolmentMode, ProgramKind
from lms.people.models import CadreCategory, OrgType


def heading(text):
    return ("heading", text)


def paragraph(text):
    return ("paragraph", f"<p>{text}</p>")


def quote(text, source=""):
    return ("quote", {"text": text, "source": source})


# The six films of the micro-video program: real, small videos rendered at load time (lms.demo.videos).
MICRO_VIDEOS = [
    {"slug": "jianshou-pingfan", "title": "坚守平凡", "seconds": 45, "colour": (178, 34, 34),
     "summary": "社区老党员二十年如一日义务巡河、调解邻里纠纷，在平凡岗位上坚守初心。"},
    {"slug": "buwang-chuxin", "title": "不忘初心、与你同行", "seconds": 60, "colour": (196, 60, 20),
     "summary": "年轻社区工作者从不被理解到被居民称为“自家孩子”的成长故事。"},
    {"slug": "shouwang-jiayuan", "title": "守望家园", "seconds": 40, "colour": (30, 100, 160),
     "summary": "村党支部书记带领村民治理河道、发展特色产业，让家园变了模样。"},
    {"slug": "hongse-wangge", "title": "红色网格", "seconds": 35, "colour": (160, 40, 60),
     "summary": "网格员党员走街串巷，把服务送到居民家门口。"},
    {"slug": "qingchun-jiceng", "title": "青春在基层", "seconds": 40, "colour": (40, 120, 80),
     "summary": "选派到村的年轻干部扎根基层、服务群众的一年。"},
    {"slug": "lianjie-fengxian", "title": "廉洁奉献", "seconds": 30, "colour": (120, 70, 30),
     "summary": "一位社区书记廉洁履职、公道办事的日常。"},
]

SECRETARY_ORG_TYPES = [OrgType.COMMUNITY, OrgType.VILLAGE]
SECRETARY_CATEGORIES = [CadreCategory.COMMUNITY_SECRETARY, CadreCategory.VILLAGE_SECRETARY]

BRANCH_REGULATION = quote(
    "党支部是党的基础组织，是党组织开展工作的基本单元，是党在社会基层组织中的战斗堡垒，是党的全部工作和战斗力的基础。",
    "《中国共产党支部工作条例（试行）》",
)


def _forum(quarter, quarter_name, starts_on, theme, summary, lessons):
    return {
        "slug": f"2026-q{quarter}",
        "title": f"2026年{quarter_name}头雁讲坛",
        "year": 2026, "starts_on": starts_on, "ends_on": starts_on, "credit_hours": Decimal("6"),
        "enrolment_mode": EnrolmentMode.ASSIGNED,
        "audience_org_types": SECRETARY_ORG_TYPES, "audience_categories": SECRETARY_CATEGORIES,
        "audience": "secretaries",
        "summary": summary,
        "body": [
            heading(f"本期主题：{theme}"),
            paragraph("线下集中授课一天（6学时），同步网络直播，不能到场的书记可在线参加，会后提供回放。"
                      "请提前十分钟到场，扫描现场二维码签到；因故不能参加须提前向街道党工委请假。"),
        ],
        "lessons": lessons,
    }


PROGRAMS = [
    {
        "slug": "head-goose-forum",
        "title": "头雁讲坛",
        "kind": ProgramKind.HEAD_GOOSE_FORUM,
        "cadence": Cadence.QUARTERLY,
        "audience_description": "全区社区、村党组织书记",
        "summary": "每季度一期，线下集中授课并同步直播，书记们讲给书记们听。",
        "intro": "<p>“头雁讲坛”是区委组织部为社区（村）党组织书记打造的季度讲坛。每期围绕基层治理中的一个重点问题，"
                 "邀请党校教师、优秀书记和职能部门负责人同台授课，线上线下同步进行，会后提供回放和随堂测验。</p>"
                 "<p>全年四期均为社区（村）书记的必修内容，计入年度培训学时。</p>",
        "courses": [
            _forum(1, "第一季度", datetime.date(2026, 3, 20), "党建引领城市基层治理",
                   "以党建引领基层治理，把党的组织优势转化为治理效能。", [
                {"slug": "party-building-leads-governance", "title": "以党建引领城市基层治理", "minutes": 25, "body": [
                    heading("为什么要以党建引领基层治理"),
                    paragraph("基层是党的执政之基、力量之源。社区是城市治理的“最后一公里”，物业、业委会、社会组织、驻区单位"
                              "各有诉求，只有社区党组织把各方力量组织起来，才能形成共建共治共享的治理格局。"),
                    BRANCH_REGULATION,
                    heading("从“单打独斗”到“组织起来”"),
                    paragraph("实践中，不少社区通过建立“社区党委—小区党支部—楼栋党小组”三级组织体系，把支部建在小区上、"
                              "党小组建在楼栋里，让党员亮身份、领责任。遇到加装电梯、停车难、老旧小区改造等难题，"
                              "由小区党支部牵头召开居民议事会，业委会、物业公司共同参与，做到大事共商、难事共解。"),
                    paragraph("社区书记要善于用好“大工委”“联席会议”等机制，把驻区单位的资源清单、社区的需求清单和党员的"
                              "服务清单对接起来，形成“双向服务、双向评价”的良性循环。"),
                ]},
                {"slug": "grid-management", "title": "网格化管理与精细化服务", "minutes": 20, "body": [
                    heading("网格是服务群众的基本单元"),
                    paragraph("把社区划分为若干网格，每个网格配备网格员和党员志愿者，做到人在格中走、事在格中办。"
                              "网格员每天走访，掌握独居老人、困难家庭、新入住居民等重点人群的情况，及时发现和上报问题。"),
                    heading("做到“小事不出网格、大事不出社区”"),
                    paragraph("对网格内发现的问题实行分级处置：能当场解决的当场解决，需要协调的由社区党组织召集相关方"
                              "会商，超出社区能力的通过街道平台派单到职能部门，并跟踪办理结果、向群众反馈。"),
                    paragraph("精细化不是把工作做繁，而是把服务做准。书记要定期分析网格上报数据，找出反复出现的问题，"
                              "从机制上加以解决。"),
                ]},
            ]),
            _forum(2, "第二季度", datetime.date(2026, 6, 19), "发展壮大村级集体经济",
                   "聚焦乡村振兴，探索村级集体经济发展的多种路径。", [
                {"slug": "collective-economy", "title": "壮大村级集体经济的路径选择", "minutes": 30, "body": [
                    heading("集体经济是村党组织服务群众的物质基础"),
                    paragraph("村级集体经济薄弱，村党组织为群众办实事就缺少底气。发展集体经济要立足本村资源禀赋，"
                              "盘活闲置土地、厂房和农房，发展物业经济、乡村旅游和农业社会化服务，让集体资产保值增值。"),
                    heading("几条可借鉴的路子"),
                    paragraph("一是抱团发展，由街道统筹若干村联合投资标准厂房或农贸市场，按股分红；二是服务创收，"
                              "由村集体领办合作社，为种植大户提供育秧、植保、烘干等服务；三是文旅融合，依托江洲湿地、"
                              "古镇老街等资源发展民宿和研学。"),
                    paragraph("无论哪条路子，都要坚持“四议两公开”，重大事项经村党组织提议、村“两委”会商议、"
                              "党员大会审议、村民代表会议决议，决议和实施结果公开，防止集体资产流失。"),
                ]},
                {"slug": "rural-revitalization", "title": "乡村振兴中的村党组织书记", "minutes": 20, "body": [
                    heading("当好“领头雁”"),
                    paragraph("乡村振兴，关键在人、关键在干。村党组织书记既是带头人，也是组织者，要带头学政策、"
                              "带头闯市场、带头办实事，把党员和致富能手团结在党组织周围。"),
                    quote("办好农村的事情，要靠好的带头人，靠一个好的基层党组织。"),
                    paragraph("要注重培养后备力量，把返乡大学生、退役军人和致富能手吸引到村级组织中来，"
                              "让乡村振兴后继有人。"),
                ]},
            ]),
            _forum(3, "第三季度", datetime.date(2026, 9, 18), "新时代“枫桥经验”与民生服务",
                   "把矛盾纠纷化解在基层，把民生服务做到群众心坎上。", [
                {"slug": "fengqiao-experience", "title": "新时代“枫桥经验”的社区实践", "minutes": 25, "body": [
                    heading("矛盾不上交，就地化解"),
                    quote("发动和依靠群众，坚持矛盾不上交，就地解决。", "“枫桥经验”"),
                    paragraph("社区每天都会遇到邻里噪音、漏水、宠物扰民、物业费纠纷等“小事”。小事处理不好，就会积累成大矛盾。"
                              "社区党组织要建立调解队伍，吸收老党员、退休法官、律师志愿者参与，把纠纷化解在萌芽状态。"),
                    heading("用好“书记工作室”和“党员议事厅”"),
                    paragraph("书记定期坐班接待居民，党员议事厅每月召开一次，邀请当事各方面对面沟通。"
                              "对一时解决不了的问题，要讲清原因、明确时限、及时反馈，让群众感受到有人管、有回音。"),
                ]},
                {"slug": "elderly-and-children", "title": "做好“一老一小”民生服务", "minutes": 15, "body": [
                    heading("老有所养，幼有所育"),
                    paragraph("老龄化程度高的社区，要依托社区综合服务中心开设助餐点、日间照料中心，"
                              "组织党员志愿者结对独居老人，定期上门探访。"),
                    paragraph("面向双职工家庭，利用暑期开设“四点半课堂”和托管班，引入驻区高校的大学生志愿者，"
                              "既解决家长的后顾之忧，也让大学生在社区实践中受教育、长才干。"),
                ]},
            ]),
            _forum(4, "第四季度", datetime.date(2026, 12, 18), "锤炼过硬作风，廉洁履职",
                   "落实全面从严治党要求，做让群众放心的书记。", [
                {"slug": "style-and-discipline", "title": "落实中央八项规定精神，锤炼过硬作风", "minutes": 25, "body": [
                    heading("打铁必须自身硬"),
                    quote("打铁必须自身硬。"),
                    paragraph("社区（村）书记直接面对群众，一言一行都代表党组织的形象。要严格执行中央八项规定及其实施细则精神，"
                              "力戒形式主义、官僚主义，少开会、开短会，多走访、办实事。"),
                    heading("为基层减负，让书记把精力用在服务群众上"),
                    paragraph("对各类台账、报表、打卡要“能合则合、能减则减”，对上级部门摊派的事项按规定准入，"
                              "让社区工作者有更多时间走进楼栋、走近居民。"),
                ]},
                {"slug": "clean-performance", "title": "社区（村）书记的廉洁履职", "minutes": 20, "body": [
                    heading("守住集体“三资”的底线"),
                    paragraph("集体资金、资产、资源是群众的“家底”。要严格执行村级财务管理制度，大额支出集体研究，"
                              "工程项目公开招标，账目按时公开，接受群众和村务监督委员会监督。"),
                    paragraph("要警惕“微腐败”：在低保评审、补贴发放、工程发包中优亲厚友、吃拿卡要，损害的是群众切身利益，"
                              "侵蚀的是党的执政根基。书记要以身作则，也要管好班子、带好队伍。"),
                ]},
            ]),
        ],
    },
    {
        "slug": "demonstration-classroom",
        "title": "示范课堂",
        "kind": ProgramKind.DEMONSTRATION_CLASSROOM,
        "cadence": Cadence.SEMIANNUAL,
        "audience_description": "两新组织党组织书记",
        "summary": "每半年一期，面向非公企业和社会组织党组织书记，线上线下同步。",
        "intro": "<p>“示范课堂”面向全区“两新”组织（非公有制企业和社会组织）党组织书记，每年上下半年各举办一期，"
                 "由行业党委、优秀企业党组织书记现身说法，分享以党建促发展的经验做法。</p>",
        "courses": [
            {
                "slug": "2026-h1", "title": "2026年上半年示范课堂",
                "year": 2026, "starts_on": datetime.date(2026, 5, 22), "ends_on": datetime.date(2026, 5, 22),
                "credit_hours": Decimal("6"), "enrolment_mode": EnrolmentMode.ASSIGNED,
                "audience_org_types": [OrgType.TWO_NEW], "audience_categories": [CadreCategory.TWO_NEW_SECRETARY],
                "audience": "two_new_secretaries",
                "summary": "推进“两个覆盖”，提升两新组织党建工作质量。",
                "body": [heading("本期主题：以高质量党建促进企业高质量发展"),
                         paragraph("集中授课一天，设互联网企业党建经验交流环节，同步直播。")],
                "lessons": [
                    {"slug": "two-coverages", "title": "两新组织党建的“两个覆盖”", "minutes": 20, "body": [
                        heading("组织覆盖和工作覆盖"),
                        paragraph("凡是有正式党员三人以上的两新组织，都应当成立党的基层组织；党员人数不足的，"
                                  "可以按行业、楼宇、园区建立联合党组织，或由党建指导员帮助开展工作。"),
                        paragraph("组织建起来只是第一步，更重要的是工作覆盖：党组织要有活动阵地、有骨干队伍、有经常性活动，"
                                  "让员工感受到党组织就在身边。"),
                        BRANCH_REGULATION,
                    ]},
                    {"slug": "internet-company-practice", "title": "互联网企业党建实践分享", "minutes": 25, "body": [
                        heading("把党建工作融入企业发展"),
                        paragraph("互联网企业员工年轻、流动性大、工作节奏快。一些企业党组织把党员示范岗设在研发一线，"
                                  "组织党员突击队攻关关键项目，把“三会一课”与技术分享会结合起来，增强了吸引力。"),
                        paragraph("企业党组织还可以发挥行业优势，为社区开发便民小程序、为老年人开设智能手机课堂，"
                                  "在服务社会中展现党员形象。"),
                    ]},
                ],
            },
            {
                "slug": "2026-h2", "title": "2026年下半年示范课堂",
                "year": 2026, "starts_on": datetime.date(2026, 11, 13), "ends_on": datetime.date(2026, 11, 13),
                "credit_hours": Decimal("6"), "enrolment_mode": EnrolmentMode.ASSIGNED,
                "audience_org_types": [OrgType.TWO_NEW], "audience_categories": [CadreCategory.TWO_NEW_SECRETARY],
                "audience": "two_new_secretaries",
                "summary": "发挥两新组织党组织作用，参与社区治理。",
                "body": [heading("本期主题：两新组织党组织融入基层治理"),
                         paragraph("集中授课一天，安排社会组织党建现场观摩，同步直播。")],
                "lessons": [
                    {"slug": "role-of-party-organization", "title": "发挥两新组织党组织的政治引领作用", "minutes": 20,
                     "body": [
                        heading("引领发展方向，凝聚员工群众"),
                        paragraph("两新组织党组织要宣传和执行党的路线方针政策，引导和监督企业遵守国家法律法规，"
                                  "领导工会、共青团等群团组织，团结凝聚职工群众，维护各方合法权益。"),
                        paragraph("党组织书记要主动和出资人、经营管理者沟通，找准党建工作与企业发展的结合点，"
                                  "做到党建强、发展强。"),
                     ]},
                    {"slug": "social-organizations", "title": "社会组织党建与社区治理融合", "minutes": 15, "body": [
                        heading("社会组织是社区治理的重要力量"),
                        paragraph("养老服务、社工服务、志愿服务类社会组织扎根社区，是社区党组织的好帮手。"
                                  "通过党建联建，社区党组织可以把服务项目交给专业社会组织承接，"
                                  "社会组织党组织则在项目中发挥党员先锋作用。"),
                     ]},
                ],
            },
        ],
    },
    {
        "slug": "micro-videos",
        "title": "党员教育微视频",
        "kind": ProgramKind.MICRO_VIDEOS,
        "cadence": Cadence.ALWAYS_OPEN,
        "audience_description": "全体党员",
        "summary": "常年开放，随时随地学习，短片讲述身边的优秀党员。",
        "intro": "<p>精选《坚守平凡》《不忘初心、与你同行》等六部党员教育微视频，讲述身边优秀党员的故事。"
                 "全体党员可自主报名，利用碎片时间在手机上学习。</p>",
        "courses": [
            {
                "slug": "2026", "title": "2026年党员教育微视频",
                "year": 2026, "starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 12, 31),
                "credit_hours": Decimal("2"), "enrolment_mode": EnrolmentMode.SELF,
                "audience_org_types": [], "audience_categories": [],
                "audience": None,
                "summary": "六部微视频，全年开放，自主报名学习。",
                "videos": MICRO_VIDEOS,
                "body": [paragraph("本课程面向全体党员开放，登录后点击“报名”即可学习。每部短片十分钟左右，"
                                   "看完全部短片并完成导学阅读可获得2学时。")],
                "lessons": [
                    {"slug": "guide-ordinary", "title": "导学：《坚守平凡》", "minutes": 10, "body": [
                        heading("在平凡岗位上坚守初心"),
                        paragraph("短片讲述一位社区老党员二十年如一日义务巡河、调解邻里纠纷的故事。"
                                  "他说：“党员就是要在群众需要的时候站出来。”"),
                        paragraph("观看时请思考：在自己的岗位上，怎样做到平凡之中见担当？"),
                    ]},
                    {"slug": "guide-original-aspiration", "title": "导学：《不忘初心、与你同行》", "minutes": 10, "body": [
                        heading("初心就在为民服务的点滴之中"),
                        quote("为中国人民谋幸福，为中华民族谋复兴。", "党的十九大报告"),
                        paragraph("短片记录了一名年轻社区工作者从不被理解到被居民称为“自家孩子”的成长经历，"
                                  "展现了新时代年轻党员扎根基层、服务群众的精神风貌。"),
                    ]},
                ],
            },
        ],
    },
    {
        "slug": "secretary-class",
        "title": "社区(村)书记班",
        "kind": ProgramKind.SECRETARY_CLASS,
        "cadence": Cadence.PER_COHORT,
        "audience_description": "社区、村党组织书记（与校地党建联盟高校合作）",
        "summary": "按期开班，集中学习与线上学习相结合，结业考试合格颁发结业证书。",
        "intro": "<p>社区（村）书记班由区委组织部与校地党建联盟高校联合举办，每期包含脱产集中学习、线上课程、"
                 "课程作业和结业考试，考核合格颁发结业证书，计24学时。</p>",
        "courses": [
            {
                "slug": "2026-cohort-1", "title": "2026年社区(村)书记班（第一期）",
                "year": 2026, "starts_on": datetime.date(2026, 4, 13), "ends_on": datetime.date(2026, 6, 26),
                "credit_hours": Decimal("24"), "credit_basis": CreditBasis.UNIVERSITY,
                "enrolment_mode": EnrolmentMode.ASSIGNED,
                "audience_org_types": SECRETARY_ORG_TYPES, "audience_categories": SECRETARY_CATEGORIES,
                "audience": "secretaries",
                "summary": "在仙林大学城集中学习四天，辅以线上课程和结业考试。",
                "body": [heading("培训安排"),
                         paragraph("第一阶段：在联盟高校集中学习四天；第二阶段：线上课程和课程作业；"
                                   "第三阶段：结业考试。全部合格者颁发结业证书。")],
                "lessons": [
                    {"slug": "orientation", "title": "开班导学：课程安排与学习要求", "minutes": 10, "body": [
                        heading("学习要求"),
                        paragraph("学员须按时参加集中学习，扫码签到；因公因病不能参加的须书面请假，"
                                  "请假时间不得超过集中学习总学时的七分之一，否则按退学处理。"),
                        paragraph("线上课程须在结业考试前全部完成，视频以实际观看时长计算学习进度。"),
                    ]},
                    {"slug": "branch-standards", "title": "基层党组织建设的基本规范", "minutes": 30, "body": [
                        heading("严格党的组织生活"),
                        paragraph("党支部应当组织党员按期参加党员大会、党小组会和上党课，定期召开支部委员会会议，"
                                  "每年至少召开一次组织生活会，开展民主评议党员。"),
                        BRANCH_REGULATION,
                        heading("规范发展党员"),
                        paragraph("发展党员要坚持标准、保证质量、改善结构、慎重发展，严格执行入党申请、"
                                  "积极分子培养、发展对象考察、预备党员教育考察等各个环节的程序。"),
                    ]},
                    {"slug": "school-local-cooperation", "title": "校地共建：用好高校资源服务社区", "minutes": 20, "body": [
                        heading("高校与社区结对共建"),
                        paragraph("联盟高校的党支部与社区党组织结对，高校教师为社区提供政策咨询和规划设计，"
                                  "大学生党员到社区开展志愿服务和社会实践，社区为高校提供思政课堂和实践基地。"),
                        paragraph("书记们要主动对接结对高校，把社区治理中的难题列成项目清单，"
                                  "借助高校的专业力量共同破解。"),
                    ]},
                ],
            },
        ],
    },
    {
        "slug": "topical",
        "title": "专题培训",
        "kind": ProgramKind.TOPICAL,
        "cadence": Cadence.AD_HOC,
        "audience_description": "按组织类型（农村、社区、机关、两新）和任职情况分类分批",
        "summary": "分类分批举办，针对新任书记、党员冬训等专门需要。",
        "intro": "<p>专题培训按组织类型和任职情况分类分批举办，例如新任社区（村）书记履职培训、"
                 "党员冬春训、机关年轻干部培训等。</p>",
        "courses": [
            {
                "slug": "2026-newly-appointed", "title": "2026年新任社区(村)书记专题培训",
                "year": 2026, "starts_on": datetime.date(2026, 7, 8), "ends_on": datetime.date(2026, 7, 9),
                "credit_hours": Decimal("12"), "enrolment_mode": EnrolmentMode.ASSIGNED,
                "audience_org_types": SECRETARY_ORG_TYPES, "audience_categories": SECRETARY_CATEGORIES,
                "audience": "newly_appointed_secretaries",
                "summary": "面向任职不满一年的社区（村）书记，集中培训两天。",
                "body": [paragraph("培训对象为任职不满一年的社区（村）党组织书记，帮助新任书记尽快熟悉岗位职责、"
                                   "掌握工作方法。")],
                "lessons": [
                    {"slug": "first-lesson", "title": "新任书记履职第一课", "minutes": 25, "body": [
                        heading("上任先做三件事"),
                        paragraph("一是摸清家底：走遍辖区每一个小区、每一个网格，了解人口结构、重点人群和集体资产状况；"
                                  "二是建好班子：与“两委”成员逐一谈心，明确分工，形成合力；"
                                  "三是找准突破口：从群众反映最强烈的一两件事入手，以实际成效赢得信任。"),
                        paragraph("新任书记要虚心向老书记请教，用好“导师帮带”机制，在实践中尽快成长。"),
                    ]},
                    {"slug": "three-meetings-one-lesson", "title": "如何开好“三会一课”", "minutes": 20, "body": [
                        heading("“三会一课”是党的组织生活的基本制度"),
                        paragraph("“三会”是支部党员大会、支部委员会会议和党小组会，“一课”是党课。"
                                  "开好“三会一课”要做到主题明确、准备充分、程序规范、记录完整。"),
                        paragraph("党课可以由书记讲、党员讲，也可以请先进模范讲；可以在会议室讲，"
                                  "也可以走进红色教育基地、走进田间地头讲，增强吸引力和感染力。"),
                    ]},
                ],
            },
            {
                "slug": "2026-winter-training", "title": "2026年党员冬春训专题培训",
                "year": 2026, "starts_on": datetime.date(2026, 1, 12), "ends_on": datetime.date(2026, 2, 27),
                "credit_hours": Decimal("4"), "enrolment_mode": EnrolmentMode.ASSIGNED,
                "audience_org_types": SECRETARY_ORG_TYPES, "audience_categories": [CadreCategory.PARTY_MEMBER],
                "audience": "party_members",
                "summary": "社区（村）党员年度集中轮训。",
                "body": [paragraph("利用冬春农闲和年初时间，对社区（村）党员进行集中轮训。")],
                "lessons": [
                    {"slug": "theory-study", "title": "学习贯彻党的创新理论", "minutes": 30, "body": [
                        heading("学思践悟，知行合一"),
                        paragraph("冬春训以学习党的创新理论为主线，结合社区（村）实际，组织党员读原著、学原文、悟原理，"
                                  "开展专题研讨，每名党员结合自身实际谈体会、定目标。"),
                        paragraph("训后，每名党员至少认领一项服务岗位，如楼道长、文明劝导员、政策宣传员，"
                                  "做到学用结合、以学促干。"),
                    ]},
                ],
            },
        ],
    },
]
