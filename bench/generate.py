"""Build a province-scale register in the ``DATABASE_URL`` database, fast.

    .venv/bin/python bench/generate.py --households 100000 [--reset] [--seed 1]

Migrates the database and loads the administrative units when needed, then
writes, with explicit primary keys and bulk writes (``COPY`` on PostgreSQL,
``executemany`` in one transaction on SQLite):

- households spread over every current grassroots unit of the province
  (sizes drawn per unit), each with 1–7 current members and sometimes a
  former one; valid, unique citizen IDs (CCCD) and health-insurance cards;
  ``search_text``/``search_name`` folded as the app does (``communes.text.fold``);
- one periodic review round per unit and year, 2016–2025, and an assessment
  of *every* household in every year (a conservative load: a real review
  surveys only the listed households and the applicants): recognised by a
  decision in December, classified poor / near-poor / average / not poor by
  a Markov chain that keeps about 2–3 % poor and 3–4 % near-poor, with the
  income and deprivations (through the M2M) the standard's rule needs, and
  causes for the listed households. Before the 1/7/2025 reform, households
  of wards that succeeded a legacy Hạ Long unit are assessed in that unit;
  elsewhere in the current unit (the province's other legacy units are not
  loaded by ``load_units``);
- exit plans with two actions for the households poor at the end of 2025;
- support records (default 200,000) over 2016–2025, mostly to listed
  households, with the catalogue's support types;
- the resident-household denominators per unit and year.

Generated rows get no django-simple-history records (bulk writes bypass it,
like ``seed_demo``): acceptable for synthetic data nobody edited.

``--reset`` first empties the register, plans, support and denominators of
the database (never run it against real data: the script refuses unless the
database name contains "bench" or ``--i-know`` is given).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

FIRST_YEAR = 2016
LAST_YEAR = 2025
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
REFORM = datetime.date(2025, 7, 1)
STAMP = datetime.datetime(2025, 12, 20, 3, 0, tzinfo=datetime.UTC)

#: Yearly transition probabilities between P(oor), N(ear-poor) and O(ut).
#: Rural households enter the lists twice as often; about 2–3 % poor, 3–4 % near-poor.
TRANSITIONS = {
    "P": (("P", 0.75), ("N", 0.15), ("O", 0.10)),
    "N": (("P", 0.05), ("N", 0.70), ("O", 0.25)),
    "O": (("P", 0.003), ("N", 0.006), ("O", 0.991)),
}
START_SHARES = (("P", 0.03), ("N", 0.04), ("O", 0.93))
MEMBER_COUNTS = ((1, 6), (2, 14), (3, 20), (4, 25), (5, 18), (6, 11), (7, 6))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Phan", "Đinh", "Lương", "Triệu", "Chu"]  # fmt: skip
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Đình", "Thành"],
          "female": ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim"]}  # fmt: skip
GIVEN = {"male": ["Hùng", "Dũng", "Nam", "Tuấn", "Long", "Sơn", "Hải", "Đức", "Toàn", "Quân",
                  "Bình", "Khánh", "Phúc", "Thắng", "Cường", "Hiếu", "Trung", "Việt"],
         "female": ["Lan", "Hương", "Mai", "Hằng", "Thảo", "Linh", "Ngọc", "Hoa", "Yến", "Trang",
                    "Nga", "Hạnh", "Phương", "Thủy", "Dung", "Huyền", "Oanh", "Vân"]}  # fmt: skip
CAUSES_NOW = ["no_land", "no_capital", "no_labour", "no_tools", "no_know_how", "no_skills",
              "illness_accident", "other"]  # fmt: skip
CAUSES_LEGACY = ["many_dependents", "jobless", "disaster"]
SUPPORT_AMOUNTS = {
    "housing_build": 40_000_000, "housing_repair": 20_000_000, "loan": 50_000_000,
    "health_insurance": 1_105_000, "tuition": 900_000, "study_costs": 150_000,
    "electricity": 147_000, "production": 5_000_000, "vocational_training": 3_000_000,
    "employment": 1_000_000, "other": 500_000,
}  # fmt: skip
SUPPORT_WEIGHTS = {
    "health_insurance": 30, "electricity": 25, "study_costs": 10, "tuition": 8, "loan": 6,
    "production": 8, "other": 6, "vocational_training": 3, "employment": 2,
    "housing_repair": 1.5, "housing_build": 0.5,
}  # fmt: skip
SOURCES = ["national_programme", "province", "city", "ward", "enterprise", "charity", "community"]


class Writer:
    """Bulk writes with explicit ids: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self):
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.vendor = connection.vendor
        self.rows: Counter = Counter()

    def write(self, model, columns: list[str], rows) -> int:
        table = model._meta.db_table
        count = 0
        if self.vendor == "postgresql":
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with self.connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            insert = (
                f'INSERT INTO "{table}" ({", ".join(columns)}) '
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            raw = self.connection.connection
            batch = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) >= 20_000:
                    raw.executemany(insert, batch)
                    count += len(batch)
                    batch = []
            if batch:
                raw.executemany(insert, batch)
                count += len(batch)
        self.rows[table] += count
        return count

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def reset_sequences(self, models) -> None:
        if self.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT continues after the largest id by itself.
        with self.connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                )


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _pick(rng: random.Random, weighted) -> str:
    r = rng.random()
    for value, weight in weighted:
        r -= weight
        if r < 0:
            return value
    return weighted[-1][0]


def prepare_database() -> None:
    from django.core.management import call_command

    from communes.models import AdministrativeUnit, UnitKind

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.filter(kind=UnitKind.PROVINCE).exists():
        call_command("load_units", verbosity=0)


def reset(writer: Writer) -> None:
    from communes.models import UnitHouseholdCount
    from households.models import (
        Assessment,
        AssessmentCause,
        Household,
        HouseholdYear,
        Member,
        ReviewRound,
    )
    from plans.models import ExitPlan, PlanAction, SupportRecord

    models = [SupportRecord, PlanAction, ExitPlan, AssessmentCause, HouseholdYear,
              Assessment.deprivations.through, Assessment, ReviewRound, Member, Household,
              UnitHouseholdCount]  # fmt: skip
    with writer.connection.cursor() as cursor:
        if writer.vendor == "postgresql":
            tables = ", ".join(f'"{m._meta.db_table}"' for m in models)
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        else:
            cursor.execute('UPDATE "households_household" SET head_id = NULL')
            for model in models:
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


class Province:
    """Current grassroots units, their legacy Hạ Long predecessors and household sizes."""

    def __init__(self, rng: random.Random, households: int):
        from communes.models import AdministrativeUnit
        from communes.succession import SuccessionGraph

        grassroots = AdministrativeUnit.objects.grassroots()
        self.current = list(grassroots.valid_on(datetime.date(LAST_YEAR, 12, 31)).order_by("code"))
        current_ids = {u.pk for u in self.current}
        legacy = {u.pk: u for u in grassroots.filter(valid_to=REFORM)}
        self.predecessors: dict[int, list] = defaultdict(list)
        graph = SuccessionGraph.load()
        for succ in current_ids:
            if preds := [legacy[p] for p in graph.predecessors(succ) if p in legacy]:
                self.predecessors[succ] = preds
        self.legacy = list(legacy.values())
        weights = [
            rng.lognormvariate(0, 0.6) * (1.6 if u.area == "urban" else 1) for u in self.current
        ]
        total = sum(weights)
        self.sizes = [max(1, round(households * w / total)) for w in weights]
        self.sizes[-1] += households - sum(self.sizes)


def generate(options) -> None:  # noqa: C901, PLR0915 - one linear script
    from django.db import transaction

    from communes.models import UnitHouseholdCount
    from communes.text import fold
    from households.models import (
        Assessment,
        AssessmentCause,
        Household,
        Member,
        PovertyStandard,
        ReviewRound,
    )
    from households.validators import PROVINCE_CODES
    from plans.models import ExitPlan, PlanAction, SupportRecord, SupportType

    rng = random.Random(options.seed)
    writer = Writer()
    started = time.perf_counter()
    if Household.objects.exists():
        if not options.reset:
            sys.exit("The database already has households: pass --reset to replace them.")
        name = str(writer.connection.settings_dict["NAME"])
        if "bench" not in name and not options.i_know:
            sys.exit(f"Refusing to reset {name!r}: its name has no 'bench' (or pass --i-know).")
        reset(writer)
        print(f"  emptied the register ({time.perf_counter() - started:.1f} s)")

    province = Province(rng, options.households)
    national = {y: PovertyStandard.for_review_year(y) for y in YEARS}
    indicators = {
        s.pk: list(s.indicators.values_list("pk", flat=True)) for s in set(national.values())
    }
    support_types = dict(SupportType.objects.values_list("code", "pk"))
    n_households = options.households
    print(f"  {len(province.current)} current units, {len(province.legacy)} legacy units")

    # --- Households and their yearly statuses (kept compact in memory) --------------
    unit_of = []  # current unit object per household index
    legacy_of = []  # legacy unit id (before the reform) or None
    statuses = []  # one letter per year: P, N, O
    sizes = []
    for unit, size in zip(province.current, province.sizes, strict=True):
        preds = province.predecessors.get(unit.pk)
        rural = unit.area == "rural"
        for _ in range(size):
            unit_of.append(unit)
            legacy_of.append(rng.choice(preds).pk if preds else None)
            state = _pick(rng, START_SHARES)
            letters = []
            for _year in YEARS:
                letters.append(state)
                chain = TRANSITIONS[state]
                if state == "O" and rural:
                    chain = (("P", 0.006), ("N", 0.012), ("O", 0.982))
                state = _pick(rng, chain)
            statuses.append("".join(letters))
            sizes.append(int(_pick(rng, [(k, w / 100) for k, w in MEMBER_COUNTS])))

    household_base = writer.next_id(Household)
    member_base = writer.next_id(Member)
    first_member = []
    next_member = member_base
    for index in range(n_households):
        first_member.append(next_member)
        # A former member (moved away) in one household of ten.
        next_member += sizes[index] + (1 if index % 10 == 3 else 0)

    def person(r: random.Random, family: str, sex: str) -> str:
        return f"{family} {r.choice(MIDDLE[sex])} {r.choice(GIVEN[sex])}"

    provinces = sorted(PROVINCE_CODES)
    serial = [rng.randrange(10**5)]

    def citizen_id(r: random.Random, sex: str, birth_year: int) -> str:
        serial[0] += 1
        digit = (0 if birth_year < 2000 else 2) + (sex == "female")
        origin = "022" if r.random() < 0.8 else r.choice(provinces)
        return f"{origin}{digit}{birth_year % 100:02d}{serial[0] % 10**6:06d}"

    members_of: list[list[tuple]] = []

    def members_rows(index: int, r: random.Random):
        hid = household_base + index
        family = r.choice(FAMILY)
        head_sex = "male" if r.random() < 0.72 else "female"
        head_birth = r.randint(1940, 1998)
        rows = []
        for k in range(sizes[index] + (1 if index % 10 == 3 else 0)):
            if k == 0:
                sex, birth, relation, name = (
                    head_sex,
                    head_birth,
                    "head",
                    person(r, family, head_sex),
                )
            elif k == 1:
                sex = "female" if head_sex == "male" else "male"
                birth = min(2005, head_birth + r.randint(-6, 4))
                relation, name = "spouse", person(r, r.choice(FAMILY), sex)
            else:
                sex = r.choice(("male", "female"))
                birth = min(2024, head_birth + r.randint(20, 34))
                relation, name = "child", person(r, family, sex)
            left = k >= sizes[index]
            cid = citizen_id(r, sex, birth) if LAST_YEAR - birth >= 14 or r.random() < 0.5 else ""
            insured = r.random() < 0.8
            rows.append(
                (
                    first_member[index] + k, hid, name, sex, birth, "Kinh", relation, cid,
                    f"HN422{first_member[index] + k:010d}" if insured else "",
                    datetime.date(LAST_YEAR + (r.random() < 0.9), 12, 31) if insured else None,
                    r.random() < 0.04, "", "", "",
                    datetime.date(2023, 5, 1) if left else None,
                    "Chuyển đi nơi khác" if left else "", fold(name), "", STAMP, STAMP,
                )
            )  # fmt: skip
        return rows

    t = time.perf_counter()
    with transaction.atomic():
        if writer.vendor == "postgresql":
            with writer.connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

        # Members first (in memory per household to build search_text), then households.
        def households_rows():
            for index in range(n_households):
                r = random.Random(options.seed * 1_000_003 + index)
                rows = members_rows(index, r)
                members_of.append(rows)
                unit = unit_of[index]
                names = " ".join(m[2] + " " + m[7] for m in rows if m[14] is None)
                yield (
                    household_base + index, f"HB-{index + 1:06d}", unit.pk, None,
                    f"Số {r.randint(1, 300)}, tổ {r.randint(1, 40)}", rows[0][0],
                    f"09{r.randrange(10**8):08d}" if r.random() < 0.7 else "",
                    r.random() < (0.15 if unit.area == "rural" else 0.01), False,
                    r.random() < 0.03, "", None, fold(names), 1, STAMP, STAMP,
                )  # fmt: skip

        writer.write(
            Household,
            ["id", "code", "unit_id", "village_id", "address", "head_id", "phone",
             "is_ethnic_minority", "no_working_capacity", "has_revolutionary_merit", "notes",
             "assigned_to_id", "search_text", "version", "created_at", "updated_at"],
            households_rows(),
        )  # fmt: skip
        writer.write(
            Member,
            ["id", "household_id", "full_name", "sex", "birth_year", "ethnicity", "relation",
             "citizen_id", "health_insurance_number", "health_insurance_expiry",
             "has_disability", "school_level", "education_level", "work_status", "left_on",
             "left_reason", "search_name", "school_name", "created_at", "updated_at"],
            (m for rows in members_of for m in rows),
        )  # fmt: skip
        print(
            f"  {n_households:,} households, {writer.rows[Member._meta.db_table]:,} members "
            f"({time.perf_counter() - t:.1f} s)"
        )

        # --- Rounds ---------------------------------------------------------------
        t = time.perf_counter()
        round_ids: dict[tuple[int, int], int] = {}
        round_rows = []
        next_round = writer.next_id(ReviewRound)
        provincial = PovertyStandard.objects.filter(level="provincial").first()
        units_by_year = {}
        for year in YEARS:
            units = {u.pk for u in province.current}
            if year < REFORM.year:
                units = {u.pk for u in province.current if u.pk not in province.predecessors}
                units |= {u.pk for u in province.legacy}
            units_by_year[year] = units
            for unit_id in sorted(units):
                round_ids[(unit_id, year)] = next_round
                round_rows.append(
                    (
                        next_round, unit_id, year, "periodic", national[year].pk,
                        provincial.pk if provincial and provincial.applies_to_review(year) else None,
                        "", datetime.date(year, 9, 1), datetime.date(year, 12, 14), STAMP,
                    )
                )  # fmt: skip
                next_round += 1
        writer.write(
            ReviewRound,
            ["id", "unit_id", "year", "kind", "standard_id", "provincial_standard_id",
             "standard_reason", "opened_on", "closed_on", "created_at"],
            round_rows,
        )  # fmt: skip

        # --- Assessments, deprivations, causes --------------------------------------
        Through = Assessment.deprivations.through
        through_rows: list[tuple[int, int]] = []
        cause_rows: list[tuple[str, bool, int]] = []
        listed_by_year: dict[int, list[int]] = defaultdict(list)
        counts: Counter = Counter()  # (unit id, year) → households assessed there
        status_counts: Counter = Counter()
        next_assessment = [writer.next_id(Assessment)]
        poor_2025: list[tuple[int, int]] = []  # (household index, assessment id)

        def assessment_rows():
            for index in range(n_households):
                r = random.Random(options.seed * 7_000_003 + index)
                hid = household_base + index
                unit = unit_of[index]
                letters = statuses[index]
                members = sizes[index]
                for offset, year in enumerate(YEARS):
                    letter = letters[offset]
                    standard = national[year]
                    new_standard = year >= 2021
                    at = unit.pk
                    if year < REFORM.year and legacy_of[index] is not None:
                        at = legacy_of[index]
                    counts[(at, year)] += 1
                    pool = indicators[standard.pk]
                    rural = unit.area == "rural"
                    line = (standard.poor_line_rural if rural else standard.poor_line_urban) or 0
                    if letter == "P":
                        status = "poor"
                        income = r.randint(line // 2, line)
                        deprived = r.sample(
                            pool, r.randint(3, 6) if new_standard else r.randint(0, 4)
                        )
                    elif letter == "N":
                        status = "near_poor"
                        if new_standard:
                            income = r.randint(line // 2, line)
                        else:
                            ceiling = (
                                standard.near_poor_ceiling_rural
                                if rural
                                else standard.near_poor_ceiling_urban
                            )
                            income = r.randint(line + 1, ceiling)
                        deprived = r.sample(pool, r.randint(0, 2))
                    else:
                        status = "average" if new_standard and r.random() < 0.3 else "not_poor"
                        income = r.randint(line + 600_000, line * 4)
                        deprived = r.sample(pool, r.randint(0, 2) if r.random() < 0.4 else 0)
                    aid = next_assessment[0]
                    next_assessment[0] += 1
                    status_counts[(year, status)] += 1
                    through_rows.extend((aid, i) for i in deprived)
                    listed = letter in "PN"
                    if listed:
                        listed_by_year[year].append(index)
                        causes = CAUSES_NOW if new_standard else CAUSES_LEGACY + CAUSES_NOW
                        picked = r.sample(causes, r.randint(1, 3))
                        cause_rows.extend((c, k == 0, aid) for k, c in enumerate(picked))
                        if year == LAST_YEAR and letter == "P":
                            poor_2025.append((index, aid))
                    decided = datetime.date(year, 12, r.randint(2, 12))
                    yield (
                        aid, hid, round_ids[(at, year)], at, year, "recognised",
                        datetime.date(year, 9, 3) + datetime.timedelta(days=r.randint(0, 60)),
                        members, income, "[]", status,
                        status if provincial and provincial.applies_to_review(year) else "",
                        "", status, "", "", f"{1500 + at % 2000}/QĐ-UBND", decided,
                        "Chủ tịch UBND", "", f"{aid % 1000:03d}/GCN-HN.HCN" if listed else "",
                        "", 1, STAMP, STAMP,
                    )  # fmt: skip

        t = time.perf_counter()
        writer.write(
            Assessment,
            ["id", "household_id", "round_id", "unit_id", "year", "status", "surveyed_on",
             "member_count", "income_per_capita", "support_needs", "national_status",
             "provincial_status", "comparison_status", "recorded_status", "meeting_chair", "complaints",
             "decision_number", "decision_date", "decision_signer", "refusal_reason",
             "certificate_number", "notes", "version", "created_at", "updated_at"],
            assessment_rows(),
        )  # fmt: skip
        next_through = writer.next_id(Through)
        writer.write(
            Through,
            ["id", "assessment_id", "indicator_id"],
            ((next_through + k, a, i) for k, (a, i) in enumerate(through_rows)),
        )
        next_cause = writer.next_id(AssessmentCause)
        writer.write(
            AssessmentCause,
            ["id", "code", "is_primary", "assessment_id"],
            ((next_cause + k, *row) for k, row in enumerate(cause_rows)),
        )
        print(
            f"  {writer.rows[Assessment._meta.db_table]:,} assessments, "
            f"{len(through_rows):,} deprivations, {len(cause_rows):,} causes, "
            f"{len(round_rows):,} rounds ({time.perf_counter() - t:.1f} s)"
        )
        through_rows.clear()
        cause_rows.clear()

        # --- Denominators ------------------------------------------------------------
        next_count = writer.next_id(UnitHouseholdCount)
        writer.write(
            UnitHouseholdCount,
            ["id", "unit_id", "year", "households", "people", "source", "updated_at"],
            (
                (next_count + k, unit_id, year, n, round(n * 3.6), "bench/generate.py", STAMP)
                for k, ((unit_id, year), n) in enumerate(sorted(counts.items()))
            ),
        )

        # --- Plans and actions for the poor of 2025 ------------------------------------
        t = time.perf_counter()
        next_plan = writer.next_id(ExitPlan)
        next_action = writer.next_id(PlanAction)
        writer.write(
            ExitPlan,
            ["id", "household_id", "based_on_id", "start_year", "end_year", "target_exit_year",
             "notes", "created_by_id", "version", "created_at", "updated_at"],
            ((next_plan + k, household_base + index, aid, 2026, 2028, 2027, "", None, 1, STAMP,
              STAMP) for k, (index, aid) in enumerate(poor_2025)),
        )  # fmt: skip
        action_rows = []
        for k in range(len(poor_2025)):
            for step, (code, type_code) in enumerate(
                (("no_capital", "loan"), ("illness_accident", "health_insurance"))
            ):
                action_rows.append(
                    (
                        next_action + 2 * k + step, next_plan + k, "cause", code,
                        "Hỗ trợ theo kế hoạch thoát nghèo", support_types.get(type_code),
                        "grassroots_officer", None, datetime.date(2025, 6 + 6 * step, 1 if step else 30),
                        "done" if (k + step) % 3 == 0 else "planned", "", "",
                        datetime.date(2025, 5, 20) if (k + step) % 3 == 0 else None, 1, STAMP, STAMP,
                    )
                )  # fmt: skip
        writer.write(
            PlanAction,
            ["id", "plan_id", "target_kind", "target_code", "description", "support_type_id",
             "responsibility", "responsible_id", "due_date", "status", "dropped_reason",
             "outcome", "completed_on", "version", "created_at", "updated_at"],
            action_rows,
        )  # fmt: skip

        # --- Support records -------------------------------------------------------------
        types = [(code, w) for code, w in SUPPORT_WEIGHTS.items() if code in support_types]
        total_weight = sum(w for _c, w in types)
        types = [(c, w / total_weight) for c, w in types]
        per_year = options.support // len(YEARS)
        next_support = writer.next_id(SupportRecord)

        def support_rows():
            sid = next_support
            for offset, year in enumerate(YEARS):
                listed = listed_by_year[year]
                wanted = per_year + (options.support - per_year * len(YEARS) if offset == 0 else 0)
                for _ in range(wanted):
                    if listed and rng.random() < 0.8:
                        index = rng.choice(listed)
                    else:
                        index = rng.randrange(n_households)
                    code = _pick(rng, types)
                    given = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
                    personal = code in (
                        "health_insurance",
                        "tuition",
                        "study_costs",
                        "vocational_training",
                        "employment",
                    )
                    period_end = (
                        given + datetime.timedelta(days=364) if code == "health_insurance" else None
                    )
                    loan = code == "loan"
                    yield (
                        sid, household_base + index, first_member[index] if personal else None,
                        support_types[code], SUPPORT_AMOUNTS.get(code, 500_000), given,
                        given if period_end else None, period_end, rng.choice(SOURCES), "",
                        "UBND cấp xã", "", None, 6.6 if loan else None, 36 if loan else None,
                        ("repaid" if year < 2022 else "current") if loan else "", "", "", "", "",
                        None, STAMP, STAMP,
                    )  # fmt: skip
                    sid += 1

        writer.write(
            SupportRecord,
            ["id", "household_id", "member_id", "support_type_id", "amount", "given_on",
             "period_start", "period_end", "funding_source", "programme", "provider",
             "legal_basis", "action_id", "loan_rate_pct", "loan_term_months", "loan_status",
             "conflict_reason", "insurance_group", "eligibility_reason", "notes", "created_by_id",
             "created_at", "updated_at"],
            support_rows(),
        )  # fmt: skip
        print(
            f"  {writer.rows[SupportRecord._meta.db_table]:,} support records, "
            f"{len(poor_2025):,} plans, {len(action_rows):,} actions "
            f"({time.perf_counter() - t:.1f} s)"
        )
        writer.reset_sequences(
            [Household, Member, ReviewRound, Assessment, Through, AssessmentCause,
             UnitHouseholdCount, ExitPlan, PlanAction, SupportRecord]
        )  # fmt: skip
        # The decided years every figure reads (households.HouseholdYear), as the
        # review services and the import keep them.
        t = time.perf_counter()
        from households.household_years import rebuild_household_years

        written, _replaced = rebuild_household_years()
        print(f"  {written:,} household years ({time.perf_counter() - t:.1f} s)")
        t = time.perf_counter()
    print(f"  committed ({time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    # VACUUM cannot run inside a transaction (the suite runs the generator in one).
    vacuum = writer.vendor == "postgresql" and not writer.connection.in_atomic_block
    with writer.connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    print(f"  analysed ({time.perf_counter() - t:.1f} s)")

    for year in (FIRST_YEAR, LAST_YEAR):
        poor, near = status_counts[(year, "poor")], status_counts[(year, "near_poor")]
        print(
            f"  {year}: {poor:,} poor ({100 * poor / n_households:.2f} %), "
            f"{near:,} near-poor ({100 * near / n_households:.2f} %)"
        )
    print(
        f"Generated {sum(writer.rows.values()):,} rows in {common.database_label()} "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--support", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true", help="empty the register first")
    parser.add_argument("--i-know", action="store_true", help="allow --reset on any database")
    options = parser.parse_args(argv)
    common.setup()
    print(f"Generating into {common.database_label()} …")
    prepare_database()
    generate(options)


if __name__ == "__main__":
    main()
