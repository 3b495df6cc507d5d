"""Catalogue corrections with their legal basis and dates (issue 14).

* Electricity: 30 kWh a month × the tier-1 household tariff in force
  (QĐ 28/2014/QĐ-TTg), paid per quarter, for poor households; the tariff
  table starts 1/6/2014 and changes on 16/3/2015 (not 1/1/2015); a record
  for a household off the poor list needs a reason.
* Tuition: exemption ends with the 2024–25 school year (public-school
  tuition is free from 2025–26); study-cost support continues.
* Housing: the 40.000.000 ₫ / 20.000.000 ₫ amounts belong to the national
  target programme's housing project for the areas it names, not to every
  record: amounts per programme.
* Health insurance: the state's share by group; the highest group applies.
* Loans: one programme per VBSP lending programme; the overlap rule applies
  within a programme only.

Rows marked ``confirmed=False`` were not checked against the official text
(the admin says so); the data is copied here, as migrations must not import
app code.
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date

# valid_from, tier-1 price VND/kWh before VAT, legal basis, confirmed, notes
TARIFFS = [
    (
        D(2014, 6, 1),
        1388,
        "QĐ 4887/QĐ-BCT (30/7/2013); hỗ trợ theo QĐ 28/2014/QĐ-TTg từ 01/6/2014",
        False,
        "Mức hỗ trợ 46.000 ₫/hộ/tháng (30 kWh × 1.388 ₫ + 10 % VAT, làm tròn).",
    ),
    (
        D(2015, 3, 16),
        1484,
        "QĐ 2256/QĐ-BCT (12/3/2015), hiệu lực 16/3/2015",
        True,
        "Mức hỗ trợ 49.000 ₫/hộ/tháng từ 16/3/2015 (DOMAIN.md).",
    ),
    (D(2017, 12, 1), 1549, "QĐ 4495/QĐ-BCT (30/11/2017), hiệu lực 01/12/2017", False, ""),
    (D(2019, 3, 20), 1678, "QĐ 648/QĐ-BCT (20/3/2019), hiệu lực 20/3/2019", False, ""),
    (D(2023, 5, 4), 1728, "QĐ 1062/QĐ-BCT (04/5/2023), hiệu lực 04/5/2023", False, ""),
    (D(2023, 11, 9), 1806, "QĐ 2941/QĐ-BCT (08/11/2023), hiệu lực 09/11/2023", False, ""),
    (D(2024, 10, 11), 1893, "QĐ 2699/QĐ-BCT (11/10/2024), hiệu lực 11/10/2024", False, ""),
    (D(2025, 5, 10), 1984, "QĐ 1279/QĐ-BCT (09/5/2025), hiệu lực 10/5/2025", False, ""),
]
TARIFF_NOTE = (
    "Chưa xác nhận: giá bậc 1 theo các quyết định của Bộ Công Thương, chưa đối chiếu văn "
    "bản gốc. Thuế GTGT tính 10 %; các đợt giảm thuế GTGT còn 8 % chưa được áp dụng."
)

ELECTRICITY_DESCRIPTION = (
    "Hộ nghèo được hỗ trợ tiền điện sinh hoạt hằng tháng tương đương 30 kWh tính theo giá "
    "bán lẻ điện sinh hoạt bậc 1 hiện hành, chi trả theo quý (QĐ 28/2014/QĐ-TTg). Hộ chính "
    "sách xã hội theo danh sách của quyết định cũng được hỗ trợ: ghi lý do khi hộ không "
    "thuộc danh sách hộ nghèo của quý đó. Số tiền tính theo bảng giá điện (mục Giá điện)."
)

TUITION_END = D(2025, 8, 31)
TUITION_ENDED_BECAUSE = (
    "từ năm học 2025–2026, học sinh trường công lập được miễn học phí (Nghị quyết của Quốc "
    "hội ngày 26/6/2025, số 217/2025/QH15 – số hiệu chưa đối chiếu văn bản gốc); hỗ trợ "
    "chi phí học tập vẫn tiếp tục"
)

# support type, code, name, legal basis, applies to, rate %, confirmed, [(from, amount, confirmed)]
PROGRAMMES = [
    (
        "housing_build",
        "ntp_housing",
        "CTMTQG giảm nghèo bền vững 2021–2025, Dự án 5 (nhà ở)",
        "QĐ 90/QĐ-TTg (18/01/2022); TT 55/2023/TT-BTC",
        "Hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo do quyết định nêu – không áp "
        "dụng cho Hạ Long.",
        None,
        True,
        [(D(2022, 1, 18), 40_000_000, True)],
    ),
    (
        "housing_build",
        "local_housing",
        "Hỗ trợ nhà ở của tỉnh, thành phố",
        "Theo nghị quyết, quyết định của tỉnh Quảng Ninh / UBND thành phố",
        "Mức hỗ trợ theo từng quyết định: nhập số tiền.",
        None,
        False,
        [],
    ),
    (
        "housing_build",
        "sponsor_housing",
        "Nhà đại đoàn kết, nhà tình nghĩa (nhà tài trợ, quỹ)",
        "",
        "Mức hỗ trợ theo nhà tài trợ: nhập số tiền.",
        None,
        False,
        [],
    ),
    (
        "housing_repair",
        "ntp_housing",
        "CTMTQG giảm nghèo bền vững 2021–2025, Dự án 5 (nhà ở)",
        "QĐ 90/QĐ-TTg (18/01/2022); TT 55/2023/TT-BTC",
        "Hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo do quyết định nêu – không áp "
        "dụng cho Hạ Long.",
        None,
        False,
        [(D(2022, 1, 18), 20_000_000, False)],
    ),
    (
        "housing_repair",
        "local_housing",
        "Hỗ trợ sửa chữa nhà ở của tỉnh, thành phố",
        "Theo nghị quyết, quyết định của tỉnh Quảng Ninh / UBND thành phố",
        "Mức hỗ trợ theo từng quyết định: nhập số tiền.",
        None,
        False,
        [],
    ),
    (
        "housing_repair",
        "sponsor_housing",
        "Sửa chữa nhà từ nhà tài trợ, quỹ",
        "",
        "Mức hỗ trợ theo nhà tài trợ: nhập số tiền.",
        None,
        False,
        [],
    ),
    ("loan", "poor", "Cho vay hộ nghèo", "NĐ 78/2002/NĐ-CP", "Hộ nghèo.", Decimal("6.60"),
     True, []),
    ("loan", "near_poor", "Cho vay hộ cận nghèo", "QĐ 15/2013/QĐ-TTg", "Hộ cận nghèo.",
     Decimal("7.92"), True, []),
    ("loan", "newly_exited", "Cho vay hộ mới thoát nghèo", "QĐ 28/2015/QĐ-TTg",
     "Hộ mới thoát nghèo (trong thời gian theo quyết định).", None, False, []),
    ("loan", "job_creation", "Cho vay hỗ trợ tạo việc làm", "NĐ 61/2015/NĐ-CP; NĐ 74/2019/NĐ-CP",
     "Người lao động, cơ sở sản xuất kinh doanh.", None, False, []),
    ("loan", "water_sanitation", "Cho vay nước sạch và vệ sinh môi trường nông thôn",
     "QĐ 62/2004/QĐ-TTg", "Hộ gia đình ở nông thôn.", None, False, []),
    ("loan", "housing", "Cho vay nhà ở (hộ nghèo, nhà ở xã hội)",
     "QĐ 33/2015/QĐ-TTg; NĐ 100/2024/NĐ-CP", "Theo từng chương trình nhà ở.", None, False, []),
    ("loan", "students", "Cho vay học sinh, sinh viên", "QĐ 157/2007/QĐ-TTg",
     "Học sinh, sinh viên có hoàn cảnh khó khăn.", None, False, []),
]

HOUSING_DEFAULTS = [("housing_build", D(2023, 1, 1)), ("housing_repair", D(2023, 1, 1))]

# group, level, valid_from, share %, legal basis, confirmed
BHYT_SHARES = [
    ("poor", "national", D(2015, 1, 1), 100, "Luật BHYT (sửa đổi 2014), Điều 12; NĐ 146/2018/NĐ-CP",
     True),
    ("near_poor", "national", D(2015, 1, 1), 70, "Luật BHYT; NĐ 146/2018/NĐ-CP, Điều 4 (tối thiểu 70 %)",
     True),
    ("average_farming", "national", D(2015, 1, 1), 30,
     "Luật BHYT; NĐ 146/2018/NĐ-CP, Điều 4 (tối thiểu 30 %)", True),
    ("child_under_6", "national", D(2015, 1, 1), 100, "Luật BHYT (sửa đổi 2014), Điều 12",
     False),
]


def forward(apps, schema_editor):
    SupportType = apps.get_model("plans", "SupportType")
    SupportRate = apps.get_model("plans", "SupportRate")
    SupportProgramme = apps.get_model("plans", "SupportProgramme")
    ElectricityTariff = apps.get_model("plans", "ElectricityTariff")
    HealthInsuranceShare = apps.get_model("plans", "HealthInsuranceShare")
    DuplicateRule = apps.get_model("plans", "DuplicateRule")
    types = {t.code: t for t in SupportType.objects.all()}
    if not types:
        return

    for valid_from, price, basis, confirmed, note in TARIFFS:
        ElectricityTariff.objects.update_or_create(
            valid_from=valid_from,
            defaults={
                "tier1_price": price,
                "legal_basis": basis,
                "confirmed": confirmed,
                "notes": note if confirmed else f"{note} {TARIFF_NOTE}".strip(),
            },
        )
    electricity = types.get("electricity")
    if electricity is not None:
        electricity.amount_rule = "electricity_tariff"
        electricity.eligible_statuses = ["poor"]
        electricity.quantity_unit = "kWh"
        electricity.description = ELECTRICITY_DESCRIPTION
        electricity.save()
        # The flat 147.000 ₫ from 1/1/2015 is replaced by the tariff table.
        SupportRate.objects.filter(support_type=electricity, valid_from=D(2015, 1, 1)).delete()

    tuition = types.get("tuition")
    if tuition is not None:
        tuition.given_until = TUITION_END
        tuition.ended_because = TUITION_ENDED_BECAUSE
        tuition.name = "Miễn, giảm học phí (đến hết năm học 2024–2025)"
        tuition.save()
    study = types.get("study_costs")
    if study is not None:
        study.description = (
            "Hỗ trợ chi phí học tập cho học sinh thuộc hộ nghèo, hộ cận nghèo (NĐ 81/2021/NĐ-CP); "
            "tiếp tục sau khi học phí được miễn từ năm học 2025–2026."
        )
        study.save()

    for code, valid_from in HOUSING_DEFAULTS:
        if code in types:
            SupportRate.objects.filter(
                support_type=types[code], valid_from=valid_from, programme__isnull=True
            ).delete()
    for order, (type_code, code, name, basis, applies, rate, confirmed, rates) in enumerate(
        PROGRAMMES
    ):
        if type_code not in types:
            continue
        programme, _ = SupportProgramme.objects.update_or_create(
            support_type=types[type_code],
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "applies_to": applies,
                "default_rate_pct": rate,
                "confirmed": confirmed,
                "order": order,
            },
        )
        for valid_from, amount, rate_confirmed in rates:
            SupportRate.objects.update_or_create(
                support_type=types[type_code],
                programme=programme,
                valid_from=valid_from,
                defaults={"amount": amount, "legal_basis": basis, "confirmed": rate_confirmed},
            )

    for group, level, valid_from, share, basis, confirmed in BHYT_SHARES:
        HealthInsuranceShare.objects.update_or_create(
            group=group,
            level=level,
            valid_from=valid_from,
            defaults={"share_pct": share, "legal_basis": basis, "confirmed": confirmed},
        )

    if "loan" in types:
        DuplicateRule.objects.filter(support_type=types["loan"]).update(per_programme=True)

    # NĐ 351/2025's indicator of digital services / internet (households migration 0005).
    apps.get_model("plans", "ActionTemplate").objects.update_or_create(
        target_kind="indicator",
        target_code="digital_services",
        description="Hướng dẫn sử dụng internet và dịch vụ công trực tuyến, hỗ trợ thiết bị",
        defaults={
            "support_type": types.get("other"),
            "responsibility": "grassroots_officer",
            "due_in_months": 6,
            "order": 100,
        },
    )


def backward(apps, schema_editor):
    SupportType = apps.get_model("plans", "SupportType")
    SupportRate = apps.get_model("plans", "SupportRate")
    apps.get_model("plans", "ElectricityTariff").objects.all().delete()
    apps.get_model("plans", "HealthInsuranceShare").objects.all().delete()
    SupportRate.objects.filter(programme__isnull=False).delete()
    SupportType.objects.update(amount_rule="rate", eligible_statuses=[], given_until=None)
    electricity = SupportType.objects.filter(code="electricity").first()
    if electricity is not None:
        SupportRate.objects.get_or_create(
            support_type=electricity,
            valid_from=D(2015, 1, 1),
            programme=None,
            defaults={
                "amount": 147_000,
                "quantity": 90,
                "legal_basis": "QĐ 28/2014/QĐ-TTg: 30 kWh/tháng × 3 tháng, 49.000 ₫/tháng",
            },
        )
    apps.get_model("plans", "DuplicateRule").objects.update(per_programme=False)
    apps.get_model("plans", "ActionTemplate").objects.filter(target_code="digital_services").delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_support_programmes_tariffs_insurance_shares")]

    operations = [migrations.RunPython(forward, backward)]
