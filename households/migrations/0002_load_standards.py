"""Load the four poverty standards of DOMAIN.md with their indicator catalogues.

The data is copied here on purpose: a migration must not import app code
that may change later. Later corrections are made in the admin (or in a new
migration), never by editing this one.
"""

from django.db import migrations

QD59 = "QD59-2016"
ND07 = "ND07-2022"
ND351 = "ND351-2027"
QN_NQ13 = "QN-NQ13-2023"

#: Quảng Ninh's GSO code; the unit usually does not exist yet when this
#: runs (units are loaded by a command), ``households.standards_data.
#: link_provincial_standards`` sets it later.
QUANG_NINH_CODE = "22"

# Indicators: (code, dimension, name, deprived when, children's indicator).
# Children's indicators are those of the report's children's block (children
# lacking BHYT, malnourished, out of school).

QD59_INDICATORS = [
    (
        "health_access",
        "Y tế",
        "Tiếp cận các dịch vụ y tế",
        "Hộ gia đình có người bị ốm đau nhưng không đi khám chữa bệnh.",
        False,
    ),
    (
        "health_insurance",
        "Y tế",
        "Bảo hiểm y tế",
        "Hộ gia đình có ít nhất 01 thành viên từ 6 tuổi trở lên hiện không có thẻ bảo hiểm y tế.",
        True,
    ),
    (
        "adult_education",
        "Giáo dục",
        "Trình độ giáo dục của người lớn",
        "Hộ gia đình có ít nhất 01 thành viên từ 15 tuổi trở lên, sinh từ năm 1986 trở lại đây, "
        "không tốt nghiệp trung học cơ sở và hiện không đi học.",
        False,
    ),
    (
        "school_attendance",
        "Giáo dục",
        "Tình trạng đi học của trẻ em",
        "Hộ gia đình có ít nhất 01 trẻ em trong độ tuổi đi học (từ 5 đến dưới 15 tuổi) "
        "hiện không đi học.",
        True,
    ),
    (
        "housing_quality",
        "Nhà ở",
        "Chất lượng nhà ở",
        "Hộ gia đình đang ở trong ngôi nhà thiếu kiên cố hoặc nhà đơn sơ.",
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
        "water",
        "Điều kiện sống",
        "Nguồn nước sinh hoạt",
        "Hộ gia đình không được tiếp cận nguồn nước hợp vệ sinh.",
        False,
    ),
    (
        "sanitation",
        "Điều kiện sống",
        "Hố xí/nhà tiêu hợp vệ sinh",
        "Hộ gia đình không sử dụng hố xí/nhà tiêu hợp vệ sinh.",
        False,
    ),
    (
        "telecom",
        "Tiếp cận thông tin",
        "Sử dụng dịch vụ viễn thông",
        "Hộ gia đình không có thành viên nào sử dụng thuê bao điện thoại hoặc internet.",
        False,
    ),
    (
        "information_devices",
        "Tiếp cận thông tin",
        "Tài sản phục vụ tiếp cận thông tin",
        "Hộ gia đình không có tài sản nào trong số ti vi, radio, máy tính và không nghe được "
        "hệ thống loa đài truyền thanh xã/thôn.",
        False,
    ),
]

ND07_INDICATORS = [
    (
        "employment",
        "Việc làm",
        "Việc làm",
        "Hộ gia đình có ít nhất 01 người trong độ tuổi lao động thất nghiệp, hoặc làm công việc "
        "có tiền lương, tiền công nhưng không có hợp đồng lao động.",
        False,
    ),
    (
        "dependents",
        "Việc làm",
        "Người phụ thuộc trong hộ gia đình",
        "Người phụ thuộc (trẻ em dưới 16 tuổi, người cao tuổi, người khuyết tật) chiếm hơn 50% "
        "tổng số nhân khẩu của hộ gia đình.",
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
        "water",
        "Nước sinh hoạt và vệ sinh",
        "Nguồn nước sinh hoạt",
        "Hộ gia đình không được tiếp cận nguồn nước sinh hoạt sạch.",
        False,
    ),
    (
        "sanitation",
        "Nước sinh hoạt và vệ sinh",
        "Nhà tiêu hợp vệ sinh",
        "Hộ gia đình không sử dụng hố xí/nhà tiêu hợp vệ sinh.",
        False,
    ),
    (
        "telecom",
        "Thông tin",
        "Sử dụng dịch vụ viễn thông",
        "Hộ gia đình không có thành viên nào sử dụng dịch vụ internet.",
        False,
    ),
    (
        "information_devices",
        "Thông tin",
        "Phương tiện phục vụ tiếp cận thông tin",
        "Hộ gia đình không có phương tiện nào trong số: ti vi, radio, máy tính, điện thoại, "
        "máy tính bảng.",
        False,
    ),
]

_WASTE = (
    "waste",
    "Nước sinh hoạt và vệ sinh",
    "Thu gom, xử lý rác thải sinh hoạt",
    "Hộ gia đình không được thu gom hoặc không xử lý rác thải sinh hoạt hợp vệ sinh. "
    "(Chưa xác nhận: đối chiếu với văn bản chính thức.)",
    False,
)

#: Draft list (unconfirmed): NĐ 07's list with waste treatment added after
#: sanitation, and only telecom kept under information.
ND351_INDICATORS = []
for _row in ND07_INDICATORS:
    if _row[0] != "information_devices":
        ND351_INDICATORS.append(_row)
    if _row[0] == "sanitation":
        ND351_INDICATORS.append(_WASTE)

QN_NQ13_INDICATORS = ND07_INDICATORS

STANDARDS = [
    {
        "code": QD59,
        "name": "Chuẩn nghèo tiếp cận đa chiều giai đoạn 2016–2020 (kéo dài đến 2021)",
        "legal_basis": "Quyết định 59/2015/QĐ-TTg",
        "level": "national",
        "rule_type": "income_or_deprivation",
        "first_year": 2015,
        "last_year": 2021,
        "poor_line_rural": 700_000,
        "poor_line_urban": 900_000,
        "near_poor_ceiling_rural": 1_000_000,
        "near_poor_ceiling_urban": 1_300_000,
        "average_ceiling_rural": None,
        "average_ceiling_urban": None,
        "score_a_line_rural": None,
        "score_a_line_urban": None,
        "deprivation_threshold": 3,
        "points_per_indicator": 10,
        "confirmed": True,
        "notes": (
            "Năm bắt đầu ghi 2015: kỳ rà soát cuối năm 2015 đã dùng chuẩn này để xác định hộ "
            "nghèo, cận nghèo năm 2016. Chuẩn áp dụng đến hết năm 2021; kỳ rà soát cuối năm "
            "2021 dùng chuẩn ND07-2022 (khi hai chuẩn quốc gia cùng áp dụng trong một năm, "
            "chuẩn bắt đầu muộn hơn được chọn). Không có mức sống trung bình. Điểm A theo "
            "QĐ 59 có trọng số khác nhau theo vùng (thành thị và 7 vùng nông thôn) nên không "
            "ghi ngưỡng điểm A: phân loại theo chuẩn này cần thu nhập đo được."
        ),
        "indicators": QD59_INDICATORS,
    },
    {
        "code": ND07,
        "name": "Chuẩn nghèo đa chiều giai đoạn 2022–2025 (kéo dài đến 2026)",
        "legal_basis": (
            "Nghị định 07/2021/NĐ-CP, sửa đổi bởi Nghị định 30/2025/NĐ-CP; "
            "kéo dài đến 31/12/2026 theo Nghị định 351/2025/NĐ-CP"
        ),
        "level": "national",
        "rule_type": "line_and_deprivation",
        "first_year": 2021,
        "last_year": 2026,
        "poor_line_rural": 1_500_000,
        "poor_line_urban": 2_000_000,
        "near_poor_ceiling_rural": None,
        "near_poor_ceiling_urban": None,
        "average_ceiling_rural": 2_250_000,
        "average_ceiling_urban": 3_000_000,
        "score_a_line_rural": 140,
        "score_a_line_urban": 175,
        "deprivation_threshold": 3,
        "points_per_indicator": 10,
        "confirmed": True,
        "notes": (
            "Năm bắt đầu ghi 2021: kỳ rà soát cuối năm 2021 đã dùng chuẩn này để xác định hộ "
            "nghèo, cận nghèo năm 2022 (năm 2021 trùng với QD59-2016; chuẩn bắt đầu muộn hơn "
            "được chọn). Nghị định 351/2025/NĐ-CP kéo dài chuẩn này đến hết 31/12/2026. "
            "Ngưỡng điểm A (B1) theo Thông tư 07/2021/TT-BLĐTBXH: ≤ 140 điểm ở nông thôn "
            "(≈ 1.500.000 đ), ≤ 175 điểm ở thành thị (≈ 2.000.000 đ); điểm B (B2) = 10 điểm "
            "mỗi chỉ số thiếu hụt, hộ nghèo khi B ≥ 30."
        ),
        "indicators": ND07_INDICATORS,
    },
    {
        "code": ND351,
        "name": "Chuẩn nghèo đa chiều giai đoạn 2027–2030",
        "legal_basis": "Nghị định 351/2025/NĐ-CP ngày 30/12/2025",
        "level": "national",
        "rule_type": "line_and_deprivation",
        "first_year": 2027,
        "last_year": 2030,
        "poor_line_rural": 2_200_000,
        "poor_line_urban": 2_800_000,
        "near_poor_ceiling_rural": None,
        "near_poor_ceiling_urban": None,
        "average_ceiling_rural": None,
        "average_ceiling_urban": None,
        "score_a_line_rural": None,
        "score_a_line_urban": None,
        "deprivation_threshold": 3,
        "points_per_indicator": 10,
        "confirmed": False,
        "notes": (
            "CHƯA XÁC NHẬN. Danh mục chỉ số lấy theo dự thảo: 12 chỉ số, thêm chỉ số xử lý rác "
            "thải, nhóm thông tin chỉ giữ chỉ số sử dụng dịch vụ viễn thông; tên và ngưỡng các "
            "chỉ số phải đối chiếu với văn bản chính thức. Chưa biết ngưỡng mức sống trung bình "
            "và ngưỡng điểm A: để trống, nên trên chuẩn nghèo hộ được xếp 'không nghèo' và cần "
            "thu nhập đo được để phân loại."
        ),
        "indicators": ND351_INDICATORS,
    },
    {
        "code": QN_NQ13,
        "name": "Chuẩn nghèo tỉnh Quảng Ninh giai đoạn 2023–2025",
        "legal_basis": "Nghị quyết 13/2023/NQ-HĐND tỉnh Quảng Ninh",
        "level": "provincial",
        "rule_type": "line_and_deprivation",
        "first_year": 2023,
        "last_year": 2025,
        "poor_line_rural": 2_100_000,
        "poor_line_urban": 2_600_000,
        "near_poor_ceiling_rural": None,
        "near_poor_ceiling_urban": None,
        "average_ceiling_rural": None,
        "average_ceiling_urban": None,
        "score_a_line_rural": None,
        "score_a_line_urban": None,
        "deprivation_threshold": 3,
        "points_per_indicator": 10,
        "confirmed": True,
        "notes": (
            "Chuẩn cấp tỉnh, cao hơn chuẩn quốc gia: hộ được phân loại theo cả chuẩn quốc gia "
            "và chuẩn tỉnh. Cách xác định và 12 chỉ số như Nghị định 07/2021/NĐ-CP. Chưa biết "
            "ngưỡng mức sống trung bình và ngưỡng điểm A: để trống, nên cần thu nhập đo được để "
            "phân loại. Tỉnh (mã 22) được gắn khi nạp đơn vị hành chính."
        ),
        "indicators": QN_NQ13_INDICATORS,
    },
]


def _province(apps):
    AdministrativeUnit = apps.get_model("communes", "AdministrativeUnit")
    units = AdministrativeUnit.objects.filter(kind="province", code=QUANG_NINH_CODE)
    return units.filter(valid_to__isnull=True).first() or units.first()


def load_standards(apps, schema_editor):
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    Indicator = apps.get_model("households", "Indicator")
    for data in STANDARDS:
        fields = {k: v for k, v in data.items() if k not in ("code", "indicators")}
        if data["level"] == "provincial":
            fields["province"] = _province(apps)
        standard, _ = PovertyStandard.objects.update_or_create(code=data["code"], defaults=fields)
        for order, (code, dimension, name, threshold, is_child) in enumerate(
            data["indicators"], start=1
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
                },
            )


def unload_standards(apps, schema_editor):
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    PovertyStandard.objects.filter(code__in=[data["code"] for data in STANDARDS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_standards, unload_standards),
    ]
