"""The 2026–2030 standard (ND351-2027) as its texts set it, each part with its source.

No primary text of Nghị định 351/2025/NĐ-CP (nor of a guiding circular for
2026–2030) could be read when this was written: the income lines and the
rule come from a press report of the decree, the indicator list from press
reports of the ministry's draft. Every ND351 part is therefore marked
*not confirmed by a primary text* (``lines_confirmed``, ``Indicator.confirmed``)
and cites its source, so the admin and the survey form say so. The other
standards were loaded from their official texts and cite them.

What the sources say and this migration records:
- 6 dimensions, 12 indicators; "phương tiện phục vụ tiếp cận thông tin"
  (information devices) is gone, the information dimension keeps only the
  use of telecom / internet services; waste treatment is added; the water
  and sanitation dimension becomes "Nước sinh hoạt, vệ sinh và môi trường";
- dependents are children under 16, and elderly or disabled people
  receiving a monthly social allowance;
- poor: income ≤ 2,200,000 rural / 2,800,000 urban and ≥ 3 deprivations;
  near-poor: within the line and < 3 (one line, as NĐ 07). An earlier draft
  (two income levels, 1.9 M / 2.5 M) was not kept by the decree's report;
- no A-score lines (no circular found) and no average-living ceiling.
"""

from django.db import migrations

ND351 = "ND351-2027"

DECREE_REPORT = (
    "Báo Huế ngày nay (huengaynay.vn), “Chuẩn nghèo đa chiều quốc gia giai đoạn 2026-2030”, "
    "tin về Nghị định 351/2025/NĐ-CP"
)
DRAFT_REPORTS = (
    "Dự thảo Nghị định chuẩn nghèo đa chiều quốc gia giai đoạn 2026-2030 (Bộ Nông nghiệp và "
    "Môi trường, 2025), theo vietnam.vn “Đề xuất các chỉ số thiếu hụt dịch vụ xã hội cơ bản "
    "trong chuẩn nghèo đa chiều mới” và “Sớm ban hành quy định mới về chuẩn nghèo đa chiều "
    "quốc gia giai đoạn 2026-2030”"
)
UNCONFIRMED = " — CHƯA ĐỐI CHIẾU văn bản gốc."

ND351_SOURCES = (
    "Ngưỡng thu nhập và cách xác định (2.200.000 đ nông thôn, 2.800.000 đ đô thị; hộ nghèo: "
    "thu nhập từ chuẩn trở xuống và thiếu hụt từ 3 chỉ số trở lên; hộ cận nghèo: thiếu hụt "
    "dưới 3 chỉ số; chuẩn 2022–2025 tiếp tục áp dụng đến hết 31/12/2026): "
    f"{DECREE_REPORT}{UNCONFIRMED}\n"
    f"Danh mục 6 chiều, 12 chỉ số và ngưỡng thiếu hụt: {DRAFT_REPORTS}{UNCONFIRMED} Một bản "
    "dự thảo trước đó (báo Lao Động) có hai mức thu nhập (1.900.000 đ / 2.500.000 đ): tin về "
    "nghị định đã ban hành chỉ nêu một mức, ứng dụng theo tin đó.\n"
    "Ngưỡng điểm A (phiếu B1) và điểm B: chưa tìm thấy thông tư hướng dẫn giai đoạn "
    "2026–2030, để trống (cần thu nhập đo được để phân loại). Mức sống trung bình giai đoạn "
    "2027–2030: chưa có nguồn, để trống."
)

WATER = "Nước sinh hoạt, vệ sinh và môi trường"

# (code, dimension, name, deprived when, children's indicator)
ND351_INDICATORS = [
    (
        "employment",
        "Việc làm",
        "Việc làm",
        "Hộ gia đình có ít nhất 01 người trong độ tuổi lao động, có khả năng lao động, có nhu "
        "cầu làm việc nhưng không tìm được việc làm; hoặc làm công việc có tiền lương, tiền "
        "công nhưng không có hợp đồng lao động.",
        False,
    ),
    (
        "dependents",
        "Việc làm",
        "Người phụ thuộc trong hộ gia đình",
        "Người phụ thuộc (trẻ em dưới 16 tuổi; người cao tuổi, người khuyết tật đang hưởng trợ "
        "cấp xã hội hằng tháng) chiếm hơn 50% tổng số nhân khẩu của hộ gia đình.",
        False,
    ),
    (
        "nutrition",
        "Y tế",
        "Dinh dưỡng",
        "Hộ gia đình có ít nhất 01 trẻ em dưới 16 tuổi bị suy dinh dưỡng chiều cao theo tuổi "
        "hoặc suy dinh dưỡng cân nặng theo tuổi.",
        True,
    ),
    (
        "health_insurance",
        "Y tế",
        "Bảo hiểm y tế",
        "Hộ gia đình có ít nhất 01 người từ đủ 6 tuổi trở lên hiện không có bảo hiểm y tế.",
        True,
    ),
    (
        "adult_education",
        "Giáo dục",
        "Trình độ giáo dục của người lớn",
        "Hộ gia đình có ít nhất 01 người từ 16 đến 30 tuổi không tham gia các khóa đào tạo "
        "hoặc không có bằng cấp, chứng chỉ giáo dục đào tạo so với độ tuổi tương ứng.",
        False,
    ),
    (
        "school_attendance",
        "Giáo dục",
        "Tình trạng đi học của trẻ em",
        "Hộ gia đình có ít nhất 01 trẻ em từ 3 tuổi đến dưới 16 tuổi không được học đúng bậc, "
        "cấp học phù hợp với độ tuổi.",
        True,
    ),
    (
        "housing_quality",
        "Nhà ở",
        "Chất lượng nhà ở",
        "Hộ gia đình đang ở trong nhà không bền chắc: ít nhất 2 trong 3 kết cấu chính (tường, "
        "cột, mái) làm bằng vật liệu không bền chắc.",
        False,
    ),
    (
        "housing_area",
        "Nhà ở",
        "Diện tích nhà ở bình quân đầu người",
        "Diện tích nhà ở bình quân đầu người của hộ gia đình nhỏ hơn 8 m².",
        False,
    ),
    (
        "telecom",
        "Thông tin",
        "Sử dụng dịch vụ viễn thông, internet",
        "Hộ gia đình không có thành viên nào sử dụng dịch vụ internet (dịch vụ số).",
        False,
    ),
    (
        "water",
        WATER,
        "Nguồn nước sinh hoạt",
        "Hộ gia đình không được tiếp cận nguồn nước sinh hoạt sạch.",
        False,
    ),
    (
        "sanitation",
        WATER,
        "Nhà tiêu hợp vệ sinh",
        "Hộ gia đình không sử dụng hố xí/nhà tiêu hợp vệ sinh.",
        False,
    ),
    (
        "waste",
        WATER,
        "Xử lý rác thải sinh hoạt",
        "Hộ gia đình không được thu gom rác thải sinh hoạt và không tự xử lý rác thải sinh "
        "hoạt hợp vệ sinh.",
        False,
    ),
]

#: The official texts the other standards' indicators were loaded from (migration 0002).
OFFICIAL_SOURCES = {
    "QD59-2016": "Quyết định 59/2015/QĐ-TTg, Điều 2",
    "ND07-2022": "Nghị định 07/2021/NĐ-CP, Điều 3 và Điều 4",
    "QN-NQ13-2023": (
        "Nghị quyết 13/2023/NQ-HĐND tỉnh Quảng Ninh (chỉ số như Nghị định 07/2021/NĐ-CP)"
    ),
}


def forwards(apps, schema_editor):
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    Indicator = apps.get_model("households", "Indicator")
    for code, source in OFFICIAL_SOURCES.items():
        PovertyStandard.objects.filter(code=code).update(
            lines_confirmed=True, sources=f"{source} (văn bản gốc)."
        )
        Indicator.objects.filter(standard__code=code).update(confirmed=True, source=source)
    standard = PovertyStandard.objects.filter(code=ND351).first()
    if standard is None:
        return
    standard.lines_confirmed = False
    standard.confirmed = False
    standard.sources = ND351_SOURCES
    standard.save(update_fields=["lines_confirmed", "confirmed", "sources"])
    for order, (code, dimension, name, threshold, is_child) in enumerate(
        ND351_INDICATORS, start=1
    ):
        Indicator.objects.update_or_create(
            standard=standard,
            code=code,
            defaults={
                "dimension": dimension,
                "name": name,
                "threshold": threshold,
                "order": order,
                "is_child_indicator": is_child,
                "confirmed": False,
                "source": DRAFT_REPORTS[:480] + UNCONFIRMED,
            },
        )
    # Information devices are not an indicator of this standard.
    Indicator.objects.filter(standard=standard).exclude(
        code__in=[row[0] for row in ND351_INDICATORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0013_member_school_and_standard_sources"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
