"""Support catalogue, default amounts, duplicate rules and action proposals.

Figures marked unconfirmed in DOMAIN.md are loaded with ``confirmed=False``;
all of it is editable in the admin.
"""

import datetime

from django.db import migrations

D = datetime.date

# code, name (Vietnamese), per member, quantity unit, loan
SUPPORT_TYPES = [
    ("housing_build", "Hỗ trợ xây mới nhà ở", False, "", False),
    ("housing_repair", "Hỗ trợ sửa chữa nhà ở", False, "", False),
    ("loan", "Vay vốn ưu đãi Ngân hàng Chính sách xã hội", False, "", True),
    ("health_insurance", "Thẻ bảo hiểm y tế", True, "tháng", False),
    ("tuition", "Miễn, giảm học phí", True, "tháng", False),
    ("study_costs", "Hỗ trợ chi phí học tập", True, "tháng", False),
    ("electricity", "Hỗ trợ tiền điện", False, "kWh", False),
    ("production", "Hỗ trợ phát triển sản xuất, sinh kế", False, "", False),
    ("vocational_training", "Hỗ trợ đào tạo nghề", True, "", False),
    ("employment", "Hỗ trợ việc làm", True, "", False),
    ("other", "Hỗ trợ khác (tài trợ, từ thiện, hiện vật)", False, "", False),
]

# code, valid_from, amount VND, quantity, legal basis, confirmed
RATES = [
    ("housing_build", D(2023, 1, 1), 40_000_000, None, "TT 55/2023/TT-BTC (CTMTQG, dự án 5)", True),
    ("housing_repair", D(2023, 1, 1), 20_000_000, None, "TT 55/2023/TT-BTC", False),
    (
        "electricity",
        D(2015, 1, 1),
        147_000,
        90,
        "QĐ 28/2014/QĐ-TTg: 30 kWh/tháng × 3 tháng, 49.000 ₫/tháng",
        True,
    ),
    ("study_costs", D(2021, 9, 1), 150_000, 1, "NĐ 81/2021/NĐ-CP", False),
]

# code, scope, window, years
DUPLICATE_RULES = [
    ("electricity", "household", "quarter", None),
    ("health_insurance", "member", "overlap", None),
    ("housing_build", "household", "years", 10),
    ("housing_repair", "household", "years", 5),
    ("loan", "household", "overlap", None),
    ("tuition", "member", "school_year", None),
    ("study_costs", "member", "overlap", None),
]

# kind, code, description, support type, responsibility, due in months
TEMPLATES = [
    ("indicator", "employment", "Giới thiệu việc làm, hỗ trợ ký hợp đồng lao động", "employment",
     "grassroots_officer", 6),
    ("indicator", "dependents", "Hỗ trợ sinh kế phù hợp hộ có nhiều người phụ thuộc", "production",
     "local_government", 12),
    ("indicator", "nutrition", "Tư vấn dinh dưỡng, theo dõi tăng trưởng trẻ em", "",
     "grassroots_officer", 3),
    ("indicator", "health_insurance", "Cấp thẻ BHYT cho thành viên chưa có thẻ", "health_insurance",
     "grassroots_officer", 1),
    ("indicator", "health_access", "Hỗ trợ khám chữa bệnh", "health_insurance",
     "grassroots_officer", 3),
    ("indicator", "adult_education", "Vận động học bổ túc, đào tạo nghề", "vocational_training",
     "grassroots_officer", 12),
    ("indicator", "school_attendance", "Hỗ trợ chi phí học tập, vận động trẻ đến trường",
     "study_costs", "grassroots_officer", 3),
    ("indicator", "housing_quality", "Hỗ trợ sửa chữa nhà ở", "housing_repair",
     "local_government", 12),
    ("indicator", "housing_area", "Hỗ trợ xây mới, mở rộng nhà ở", "housing_build",
     "local_government", 18),
    ("indicator", "water", "Hỗ trợ tiếp cận nguồn nước sạch", "other", "local_government", 12),
    ("indicator", "sanitation", "Hỗ trợ xây nhà tiêu hợp vệ sinh", "other", "local_government", 12),
    ("indicator", "waste", "Hướng dẫn thu gom, xử lý rác thải", "", "grassroots_officer", 3),
    ("indicator", "telecom", "Hỗ trợ tiếp cận dịch vụ viễn thông, internet", "other",
     "grassroots_officer", 6),
    ("indicator", "information_devices", "Hỗ trợ thiết bị tiếp cận thông tin", "other",
     "grassroots_officer", 6),
    ("cause", "no_land", "Hỗ trợ chuyển đổi nghề, thuê đất sản xuất", "production",
     "local_government", 12),
    ("cause", "no_capital", "Hướng dẫn vay vốn ưu đãi NHCSXH", "loan", "grassroots_officer", 3),
    ("cause", "no_labour", "Đề nghị trợ cấp xã hội, hỗ trợ sinh kế phù hợp", "other",
     "local_government", 6),
    ("cause", "no_tools", "Hỗ trợ công cụ, phương tiện sản xuất", "production",
     "local_government", 6),
    ("cause", "no_know_how", "Tập huấn, chuyển giao kỹ thuật sản xuất", "production",
     "grassroots_officer", 6),
    ("cause", "no_skills", "Đào tạo nghề ngắn hạn", "vocational_training", "grassroots_officer", 9),
    ("cause", "illness_accident", "Hỗ trợ khám chữa bệnh, cấp thẻ BHYT", "health_insurance",
     "grassroots_officer", 1),
    ("cause", "other", "Thăm hỏi, đánh giá nhu cầu hỗ trợ cụ thể", "", "grassroots_officer", 3),
]


def load(apps, schema_editor):
    SupportType = apps.get_model("plans", "SupportType")
    SupportRate = apps.get_model("plans", "SupportRate")
    DuplicateRule = apps.get_model("plans", "DuplicateRule")
    ActionTemplate = apps.get_model("plans", "ActionTemplate")
    types = {}
    for order, (code, name, personal, unit, loan) in enumerate(SUPPORT_TYPES):
        types[code], _ = SupportType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "is_personal": personal,
                "quantity_unit": unit,
                "is_loan": loan,
                "order": order,
            },
        )
    for code, valid_from, amount, quantity, basis, confirmed in RATES:
        SupportRate.objects.update_or_create(
            support_type=types[code],
            valid_from=valid_from,
            defaults={
                "amount": amount,
                "quantity": quantity,
                "legal_basis": basis,
                "confirmed": confirmed,
            },
        )
    for code, scope, window, years in DUPLICATE_RULES:
        DuplicateRule.objects.update_or_create(
            support_type=types[code], defaults={"scope": scope, "window": window, "years": years}
        )
    for order, (kind, code, text, type_code, responsibility, months) in enumerate(TEMPLATES):
        ActionTemplate.objects.update_or_create(
            target_kind=kind,
            target_code=code,
            description=text,
            defaults={
                "support_type": types.get(type_code),
                "responsibility": responsibility,
                "due_in_months": months,
                "order": order,
            },
        )


def unload(apps, schema_editor):
    for name in ("ActionTemplate", "DuplicateRule", "SupportRate", "SupportType"):
        apps.get_model("plans", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
