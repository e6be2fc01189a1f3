"""Seeds the core-problem sub-problems (staff-editable afterwards) and the settings row."""

from django.db import migrations

# code, group, zh, en, tip scenario, course code, [(source, value), ...]
SUBPROBLEMS = [
    ("quality_problem", "product", "商品质量问题", "Product quality problems", "refund", "std_quality",
     [("refund_reason", "quality"), ("complaint", "quality"), ("low_rating", "product")]),
    ("not_as_described", "product", "描述不符", "Not as described", "", "std_appearance_consistency",
     [("refund_reason", "not_as_described"), ("complaint", "appearance_consistency"), ("low_rating", "described")]),
    ("safety_hazard", "product", "人身安全隐患", "Safety hazards and injuries", "", "std_personal_injury",
     [("complaint", "personal_injury")]),
    ("slow_dispatch", "dispatch", "发货慢（催发货）", "Slow dispatch (urge dispatch)", "urge_dispatch", "part_dispatch",
     [("help_request", "urge_dispatch")]),
    ("missing_items", "dispatch", "少件漏发", "Missing items", "missing_items", "part_dispatch",
     [("help_request", "missing_items")]),
    ("slow_delivery", "logistics", "物流慢（催物流）", "Slow delivery (urge logistics)", "urge_logistics", "part_logistics",
     [("help_request", "urge_logistics")]),
    ("logistics_stalled", "logistics", "物流停滞", "Tracking stalled", "logistics_stalled", "part_logistics",
     [("help_request", "logistics_stalled")]),
    ("delivery_problem", "logistics", "配送问题（破损、丢件、未送货上门）", "Delivery problems (damage, loss, not delivered to the door)",
     "logistics_stalled", "std_logistics",
     [("complaint", "logistics"), ("refund_reason", "logistics"), ("low_rating", "logistics")]),
    ("installation", "extra_service", "安装预约与上门", "Installation booking and visits", "install_appointment", "std_installation",
     [("help_request", "install_appointment"), ("complaint", "installation")]),
    ("invoice", "extra_service", "发票问题", "Invoices", "invoice", "std_invoice",
     [("help_request", "invoice"), ("complaint", "invoice")]),
    ("repair", "extra_service", "维修与保修", "Repairs and warranty", "", "std_repair",
     [("complaint", "repair")]),
    ("return_exchange", "extra_service", "退换货", "Returns and exchanges", "refund", "std_return_exchange",
     [("complaint", "return_exchange")]),
    ("refund_handling", "attitude", "退款处理与纠纷", "Refund handling and disputes", "refund", "part_basic_service",
     [("help_request", "refund"), ("refund_dispute", "staff_intervened")]),
    ("service_attitude", "attitude", "服务态度差评", "Poor service-attitude ratings", "", "part_basic_service",
     [("low_rating", "attitude")]),
]


def seed(apps, schema_editor):
    SubProblem = apps.get_model("scoring", "SubProblem")
    SubProblemRule = apps.get_model("scoring", "SubProblemRule")
    CoreProblemSettings = apps.get_model("scoring", "CoreProblemSettings")
    CoreProblemSettings.objects.get_or_create(pk=1)
    for order, (code, group, zh, en, tip, course, rules) in enumerate(SUBPROBLEMS):
        sp, _ = SubProblem.objects.update_or_create(
            code=code,
            defaults={"group": group, "name_zh": zh, "name_en": en, "tip_scenario": tip, "course_code": course,
                      "sort_order": order * 10},
        )
        for source, value in rules:
            SubProblemRule.objects.update_or_create(source=source, value=value, defaults={"subproblem": sp})


def unseed(apps, schema_editor):
    apps.get_model("scoring", "SubProblem").objects.filter(code__in=[row[0] for row in SUBPROBLEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0005_core_problems")]

    operations = [migrations.RunPython(seed, unseed)]
