"""Seed the eight service standards (八项服务标准) and the desk settings row."""

from django.db import migrations

STANDARDS = [
    {
        "code": "logistics",
        "name_zh": "物流",
        "name_en": "Logistics",
        "process_zh": "1. 核对订单物流轨迹与承运商揽收、签收记录；\n2. 要求商家在48小时内提供发货凭证、物流单号及与承运商的沟通记录；\n3. 判断延误、丢件、破损或未送货上门的责任方（商家、承运商）；\n4. 成立则平台先行赔付，再向责任方追偿。",
        "process_en": "1. Check the order's tracking history, the carrier's pickup and delivery scans;\n2. ask the merchant for the dispatch proof, tracking number and its exchanges with the carrier within 48 hours;\n3. decide who caused the delay, loss, damage or missing home delivery (merchant or carrier);\n4. if upheld, the platform pays the shopper first and recovers from the liable party.",
        "norms_zh": "按承诺时效发货；物流信息真实可查；承诺送货上门的大件须搬运入户，不得要求消费者自提或加收费用。",
        "norms_en": "Ship within the promised time; tracking must be real and traceable; bulky goods promised to the door are carried inside, never left for pickup or charged extra.",
        "default_compensation": {"formula": "percent", "percent": "5", "min": "5", "max": "50"},
        "max_compensation": "500.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
    {
        "code": "appearance_consistency",
        "name_zh": "表面一致性",
        "name_en": "Appearance consistency",
        "process_zh": "1. 比对消费者提供的实物照片与商品详情页描述（型号、颜色、配置、外观）；\n2. 商家48小时内举证（出库照片、批次信息）；\n3. 不一致成立的，平台先行赔付并支持退货退款。",
        "process_en": "1. Compare the shopper's photos of the goods with the product page (model, colour, configuration, appearance);\n2. the merchant answers within 48 hours with evidence (outbound photos, batch data);\n3. if the goods do not match, the platform pays first and the return is supported.",
        "norms_zh": "商品实物与详情页描述一致；不得以次充好、以旧充新。",
        "norms_en": "The goods match the product page; no inferior or used goods sold as new.",
        "default_compensation": {"formula": "percent", "percent": "10", "min": "10", "max": "200"},
        "max_compensation": "2000.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
    {
        "code": "installation",
        "name_zh": "安装",
        "name_en": "Installation",
        "process_zh": "1. 核对约定安装日期与实际安装时间；\n2. 商家48小时内提供安装工单、师傅上门记录；\n3. 迟延安装或未安装成立的，按送装服务标准先行赔付。",
        "process_en": "1. Check the agreed installation date against the actual installation time;\n2. the merchant provides the work order and the technician's visit record within 48 hours;\n3. a late or missing installation is compensated first under the delivery & installation standard.",
        "norms_zh": "按约定日期上门安装；无约定的在签收后5日内完成；不得乱收费。",
        "norms_en": "Install on the agreed day, or within 5 days of signature when none was agreed; no unlisted charges.",
        "default_compensation": {"formula": "fixed", "amount": "50"},
        "max_compensation": "500.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
    {
        "code": "quality",
        "name_zh": "质量",
        "name_en": "Quality",
        "process_zh": "1. 收集故障描述、照片或视频、检测报告；\n2. 商家48小时内回应并提供质检证明或售后方案；\n3. 质量问题成立的，平台先行赔付，并要求商家退换货。",
        "process_en": "1. Collect the fault description, photos or video and any test report;\n2. the merchant answers within 48 hours with its quality certificate or after-sales plan;\n3. if a quality fault is established, the platform pays first and the merchant must replace or take back the goods.",
        "norms_zh": "商品符合国家标准和质量承诺；三包期内出现性能故障应免费修理、更换或退货。",
        "norms_en": "Goods meet national standards and the promised quality; performance faults within the statutory warranty are repaired, replaced or refunded free of charge.",
        "default_compensation": {"formula": "percent", "percent": "10", "min": "10", "max": "300"},
        "max_compensation": "5000.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
    {
        "code": "return_exchange",
        "name_zh": "退换货",
        "name_en": "Returns and exchanges",
        "process_zh": "1. 核对收货时间、退换货申请时间及商品状态；\n2. 商家48小时内说明拒绝退换的理由并举证；\n3. 不当拒绝成立的，平台先行赔付并协助完成退换货。",
        "process_en": "1. Check when the goods were received, when the return or exchange was asked for, and their condition;\n2. the merchant explains any refusal with evidence within 48 hours;\n3. a wrongful refusal is compensated first and the return or exchange is completed with the platform's help.",
        "norms_zh": "支持7天无理由退货、15天质量问题换货；及时处理退货申请，按承诺报销运费。",
        "norms_en": "7-day no-reason returns and 15-day exchanges for quality faults; return requests handled promptly, freight reimbursed as promised.",
        "default_compensation": {"formula": "percent", "percent": "5", "min": "5", "max": "50"},
        "max_compensation": "1000.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
    {
        "code": "repair",
        "name_zh": "维修",
        "name_en": "Repair",
        "process_zh": "1. 核对保修期、报修时间与维修网点记录；\n2. 商家或品牌服务商48小时内提供维修工单与进度；\n3. 超过24小时未响应或30日未修复的，平台先行赔付，并可向品牌服务商追偿。",
        "process_en": "1. Check the warranty period, when the repair was reported and the outlet's records;\n2. the merchant or the brand service provider provides the repair ticket and its progress within 48 hours;\n3. no response within 24 hours or no repair within 30 days is compensated first and may be recovered from the brand service provider.",
        "norms_zh": "全国联保商品由授权网点受理；24小时内响应，30日内修复；承诺以换代修的须直接换新。",
        "norms_en": "Nationwide-warranty goods are accepted by any authorised outlet; respond within 24 hours, repair within 30 days; where exchange-for-repair is promised, replace the item.",
        "default_compensation": {"formula": "percent", "percent": "5", "min": "5", "max": "100"},
        "max_compensation": "2000.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
    {
        "code": "personal_injury",
        "name_zh": "人身伤害",
        "name_en": "Personal injury",
        "process_zh": "1. 立即受理并列为紧急，当日联系消费者了解伤情；\n2. 要求商家立即下架同批次商品并在48小时内提供质检报告；\n3. 平台先行垫付医疗等费用，依责任追偿，必要时移交监管部门。",
        "process_en": "1. Accept at once as urgent and contact the shopper the same day about the injury;\n2. the merchant takes the batch off sale immediately and provides test reports within 48 hours;\n3. the platform advances medical and related costs, recovers them from the liable party and reports to the regulator where required.",
        "norms_zh": "商品不得存在危及人身安全的缺陷；发生伤害须第一时间响应并配合调查。",
        "norms_en": "Goods must carry no defect that endangers people; an injury gets an immediate response and full co-operation with the investigation.",
        "default_compensation": {"formula": "percent", "percent": "50", "min": "100", "max": "5000"},
        "max_compensation": "50000.00",
        "cap_at_paid_amount": False,
        "urgent": True,
    },
    {
        "code": "invoice",
        "name_zh": "发票",
        "name_en": "Invoice",
        "process_zh": "1. 核对开票申请时间与开票记录；\n2. 商家48小时内提供已开具的发票或说明；\n3. 超过3个工作日未开具或发票不实的，平台先行赔付。",
        "process_en": "1. Check when the invoice was asked for and the invoicing record;\n2. the merchant provides the issued invoice or an explanation within 48 hours;\n3. an invoice not issued within 3 working days, or a false one, is compensated first.",
        "norms_zh": "按消费者要求如实开具正规发票；不得以任何理由拒开或加收税点。",
        "norms_en": "Issue a genuine official invoice when asked; never refuse or charge a tax surcharge.",
        "default_compensation": {"formula": "percent", "percent": "5", "min": "5", "max": "50"},
        "max_compensation": "200.00",
        "cap_at_paid_amount": True,
        "urgent": False,
    },
]


def seed(apps, schema_editor):
    ServiceStandard = apps.get_model("complaints", "ServiceStandard")
    DeskSettings = apps.get_model("complaints", "DeskSettings")
    for order, row in enumerate(STANDARDS):
        ServiceStandard.objects.update_or_create(code=row["code"], defaults={**row, "sort_order": order})
    if not DeskSettings.objects.exists():
        DeskSettings.objects.create()


def unseed(apps, schema_editor):
    apps.get_model("complaints", "ServiceStandard").objects.filter(
        code__in=[row["code"] for row in STANDARDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
