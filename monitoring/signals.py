"""Objectivity signals (признаки необъективности, docs/glossary.md): reasons to look at a school's results of an
assessment, never verdicts.

Each signal is computed per school × assessment against the municipality: every participant of the assessment
in every school of the campaign's department, the school included. The participants are those of the figures
(grading/figures.py: present, with a complete work), counted by the same tallies, so a signal's numbers agree
with the figures shown beside it. A signal carries its evidence, the numbers its rule used, so that a school can
see why:

- `boundary_bunching`: for each boundary c (the lowest score of «3», «4», «5») with n[s] the participants with
  primary score s: up = n[c] + n[c+1], down = n[c−1] + n[c−2], W_up = n[c] + … + n[c+3], W_down = n[c−1] + … +
  n[c−4] (scores outside 0…max count 0), p0 = (W_up + 1) / (W_up + W_down + 2) clipped to [0.5, 0.9], p =
  P(X ≥ up) for X ~ Binomial(up + down, p0). Flagged when the school has ≥ 20 participants, up + down ≥ 8 and
  p < 0.01; of several flagged boundaries the one with the smallest p is the signal. Evidence: c, up, down, p0,
  p (p0 and p to four significant digits).
- `inverted_difficulty`: completion of the school's Б tasks ≥ 10 points below the municipality's while that of
  its П and В tasks is ≥ 10 points above; completion of a group = 100 × Σ points / (Σ max × participants).
  Evidence: b_school, b_municipality, pv_school, pv_municipality.
- `journal_gap`: among ≥ 10 participants with a journal mark, the share whose mark differs from the journal's
  by 2 or more is ≥ 10 %. Evidence: n (with a journal mark), gap (of them, 2 or more apart), share.
- `high_results`: the school's share of «4» and «5» is ≥ 25 percentage points above the municipality's.
  Evidence: school, municipality (the two shares).
- `stable_low`: the share of «2» is ≥ 25 % in two of the last three campaigns: the current campaign and the
  two before it by window start, of the same department, that have an assessment of the same subject and
  grade. A campaign without results of that school does not count. Evidence: campaigns, newest first, each
  with its code, participants and share of «2» (None without results).
- `recheck_delta`: among the school's works of the assessment re-checked with the commission's final result
  (at least 5 of them), the share whose final mark differs from the original mark is ≥ 20 %. Evidence: n (the
  re-checked works), changed, share, mean_difference (of primary scores, original − re-check final).

Rules compare exact values; the evidence's percentages are rounded half up to one decimal as the figures are.
Only schools with results in the assessment get signals. The thresholds are the department's current settings
(monitoring.models.ThresholdVersion, the latest version; the defaults of `Thresholds` — the numbers above — while
it has none), or a `Thresholds` passed in. Every signal is a
function of a `Context` read once for the assessment, registered in `SIGNALS`: `recheck_delta` joins them with
a field of the context for the re-check's works. Reading takes a fixed number of queries for any number of
schools.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from fractions import Fraction

from django.utils.translation import gettext_lazy

from grading.cache import Version, cached, stamp_version, stamped
from grading.figures import Figures, Tally, TaskInfo, assessment_tasks, figures_compute, round_half_up, tallies
from procedures.models import Assessment, Task
from schools.models import School


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of the signals, by default the numbers of the rules above; percentages and points 0…100."""

    bunching_participants: int = 20  # a school with fewer is not looked at
    bunching_window: int = 8  # up + down at least this
    bunching_p: float = 0.01  # p below this
    inverted_points: int = 10
    journal_participants: int = 10  # participants with a journal mark, at least
    journal_share: int = 10  # % two marks or more apart, at least
    high_results_points: int = 25
    stable_low_share: int = 25  # % of «2», at least
    stable_low_campaigns: int = 2  # … in this many
    stable_low_window: int = 3  # … of the last campaigns
    recheck_share: int = 20  # % of the re-checked works changing mark, at least
    recheck_works: int = 5  # re-checked works, at least


DEFAULT_THRESHOLDS = Thresholds()
THRESHOLD_FIELDS = [f.name for f in fields(Thresholds)]


def thresholds_from(values: dict) -> Thresholds:
    """Thresholds from a version's stored values; a field the version does not know (added later) keeps its
    default, a field no longer there is ignored."""
    known = {name: values[name] for name in THRESHOLD_FIELDS if name in values}
    return replace(DEFAULT_THRESHOLDS, **known)


def thresholds_values(thresholds: Thresholds) -> dict:
    return asdict(thresholds)


def department_thresholds(department_id: int) -> tuple[Thresholds, int]:
    """The department's current thresholds and their version's number (0: the defaults, no version yet). One
    query."""
    from monitoring.models import ThresholdVersion

    latest = (
        ThresholdVersion.objects.filter(department_id=department_id).order_by("-number").values("number", "values")
    ).first()
    if latest is None:
        return DEFAULT_THRESHOLDS, 0
    return thresholds_from(latest["values"]), latest["number"]


@dataclass(frozen=True)
class Signal:
    kind: str
    school: str  # the school's code
    evidence: dict

    def as_json(self) -> dict:
        return {"kind": self.kind, "school": self.school, "evidence": dict(self.evidence)}


@dataclass(frozen=True)
class CampaignResults:
    """One campaign of the stable-low window: its code and the tallies of its assessment, by school id."""

    code: str
    by_school: dict
    # school id → (participants, share of «2»), computed once for every thresholds the context is read under
    low_shares: dict = field(default_factory=dict, compare=False)

    def low_share(self, school_id: int) -> tuple[int, Fraction | None]:
        """The school's participants and share of «2», counted as `figures_compute` counts them (a work with a
        mark is a participant; the tally needs no task sums)."""
        if school_id not in self.low_shares:
            participants = low = 0
            for (_score, mark, _journal), n in self.by_school.get(school_id, Tally()).results.items():
                if mark is not None:
                    participants += n
                    low += n if str(mark) == "2" else 0
            self.low_shares[school_id] = (participants, _share(low, participants))
        return self.low_shares[school_id]


@dataclass
class Context:
    """What every signal of an assessment reads, once: the municipality's tally and figures, the tasks and their
    difficulty, the campaigns of the stable-low window."""

    assessment: Assessment
    thresholds: Thresholds
    tasks: list[TaskInfo]
    difficulty: dict[int, str]
    municipality: Tally
    municipality_figures: Figures
    history: list[CampaignResults] = field(default_factory=list)
    # (up, up + down, p0) → P(X ≥ up): the binomial tails of every school's boundaries, computed in one call
    tails: dict = field(default_factory=dict)
    # school id → [(original primary score, original mark, final primary score, final mark), …]: the school's
    # works of the assessment re-checked with the commission's final result (recheck_delta)
    recheck: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SchoolResults:
    school_id: int
    tally: Tally
    figures: Figures


def _share(part, whole) -> Fraction | None:
    return Fraction(100 * part, whole) if whole else None


def _rounded(value: Fraction | None) -> float | None:
    return None if value is None else round_half_up(value)


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


# The signals ----------------------------------------------------------------------------------------------------


def _boundary_window(histogram: dict[str, int], c: int) -> tuple[int, int, float]:
    """(up, down, p0) at the boundary c."""

    def n(score: int) -> int:
        return histogram.get(str(score), 0)

    up, down = n(c) + n(c + 1), n(c - 1) + n(c - 2)
    wide_up, wide_down = sum(n(c + i) for i in range(4)), sum(n(c - i) for i in range(1, 5))
    p0 = min(0.9, max(0.5, (wide_up + 1) / (wide_up + wide_down + 2)))
    return up, down, p0


def _binomial_tails(windows) -> dict:
    """(up, up + down, p0) → P(X ≥ up) for X ~ Binomial(up + down, p0), for many windows in one vectorised call:
    scipy's per-call overhead was most of the signals' time at 600 schools, and the element-wise values are those
    of one call each (the same ufunc)."""
    from scipy.stats import binom  # imported when used: scipy.stats takes half a second to load

    keys = sorted(set(windows))
    if not keys:
        return {}
    values = binom.sf([up - 1 for up, _n, _p0 in keys], [n for _up, n, _p0 in keys], [p0 for _up, _n, p0 in keys])
    return {key: float(value) for key, value in zip(keys, values, strict=True)}


def _boundary_test(
    histogram: dict[str, int], c: int, window: int, tails: dict | None = None
) -> tuple[int, int, float, float] | None:
    """(up, down, p0, p) at the boundary c; None when up + down is under `window` (p is not needed then). p from
    `tails` when computed there already."""
    up, down, p0 = _boundary_window(histogram, c)
    if up + down < window:
        return None
    key = (up, up + down, p0)
    p = tails[key] if tails and key in tails else _binomial_tails([key])[key]
    return up, down, p0, p


def boundary_bunching(context: Context, school: SchoolResults) -> dict | None:
    thresholds = context.thresholds
    if school.figures.participants < thresholds.bunching_participants:
        return None
    flagged = []
    for mark in ("3", "4", "5"):
        c = int(context.assessment.scale[mark])
        tested = _boundary_test(school.figures.histogram, c, thresholds.bunching_window, context.tails)
        if tested is None:
            continue
        up, down, p0, p = tested
        if p < thresholds.bunching_p:
            flagged.append((p, c, up, down, p0))
    if not flagged:
        return None
    p, c, up, down, p0 = min(flagged)
    return {"c": c, "up": up, "down": down, "p0": _significant(p0), "p": _significant(p)}


def _completion(
    tally: Tally, participants: int, tasks: list[TaskInfo], levels: set[str], difficulty
) -> Fraction | None:
    chosen = [task for task in tasks if difficulty.get(task.pk) in levels]
    return _share(
        sum(tally.task_points.get(task.pk, 0) for task in chosen), sum(t.max_points for t in chosen) * participants
    )


def inverted_difficulty(context: Context, school: SchoolResults) -> dict | None:
    points = context.thresholds.inverted_points
    completions = {}
    for name, levels in (("b", {"Б"}), ("pv", {"П", "В"})):
        for where, tally, figures in (
            ("school", school.tally, school.figures),
            ("municipality", context.municipality, context.municipality_figures),
        ):
            completions[f"{name}_{where}"] = _completion(
                tally, figures.participants, context.tasks, levels, context.difficulty
            )
    if None in completions.values():
        return None
    if not (
        completions["b_school"] <= completions["b_municipality"] - points
        and completions["pv_school"] >= completions["pv_municipality"] + points
    ):
        return None
    return {key: _rounded(value) for key, value in completions.items()}


def journal_gap(context: Context, school: SchoolResults) -> dict | None:
    thresholds = context.thresholds
    n = gap = 0
    for (_score, mark, journal), count in school.tally.results.items():
        if mark is None or journal is None:
            continue
        n += count
        gap += count if abs(mark - journal) >= 2 else 0
    if not n or n < thresholds.journal_participants or _share(gap, n) < thresholds.journal_share:
        return None
    return {"n": n, "gap": gap, "share": _rounded(_share(gap, n))}


def _high_share(figures: Figures) -> Fraction | None:
    return _share(figures.mark_counts["4"] + figures.mark_counts["5"], figures.participants)


def high_results(context: Context, school: SchoolResults) -> dict | None:
    own, municipal = _high_share(school.figures), _high_share(context.municipality_figures)
    if own is None or municipal is None or own - municipal < context.thresholds.high_results_points:
        return None
    return {"school": _rounded(own), "municipality": _rounded(municipal)}


def stable_low(context: Context, school: SchoolResults) -> dict | None:
    thresholds = context.thresholds
    campaigns, low = [], 0
    for campaign in context.history:
        participants, share = campaign.low_share(school.school_id)
        low += share is not None and share >= thresholds.stable_low_share
        campaigns.append({"code": campaign.code, "participants": participants, "share": _rounded(share)})
    if low < thresholds.stable_low_campaigns:
        return None
    return {"campaigns": campaigns}


def recheck_delta(context: Context, school: SchoolResults) -> dict | None:
    """Re-check delta (docs/glossary.md, docs/recheck.md; Регламент VIII): at least `recheck_works` of the
    school's works re-checked with a final result, and at least `recheck_share` % of them changing mark."""
    thresholds = context.thresholds
    works = context.recheck.get(school.school_id, [])
    n = len(works)
    if not n or n < thresholds.recheck_works:
        return None
    changed = sum(1 for _score, mark, _final_score, final_mark in works if mark != final_mark)
    share = _share(changed, n)
    if share < thresholds.recheck_share:
        return None
    difference = Fraction(sum(score - final_score for score, _mark, final_score, _final_mark in works), n)
    magnitude = round_half_up(abs(difference))
    return {
        "n": n,
        "changed": changed,
        "share": _rounded(share),
        "mean_difference": -magnitude if difference < 0 else magnitude,
    }


def recheck_results(assessment: Assessment, school: School | None = None) -> dict:
    """school id → the (original score, original mark, final score, final mark) of its works of the assessment
    re-checked with the commission's final result. One query."""
    from monitoring.models import RecheckWork

    rows = RecheckWork.objects.filter(
        selection__assessment=assessment,
        status=RecheckWork.Status.FINAL,
        original_mark__isnull=False,
        original_primary_score__isnull=False,
        final_mark__isnull=False,
        final_primary_score__isnull=False,
    )
    if school is not None:
        rows = rows.filter(work__school=school)
    found: dict = {}
    for school_id, *result in rows.values_list(
        "work__school_id", "original_primary_score", "original_mark", "final_primary_score", "final_mark"
    ).order_by("pk"):
        found.setdefault(school_id, []).append(tuple(result))
    return found


def recheck_version(assessment: Assessment) -> tuple:
    """What the cached signals of the assessment depend on in its re-check: the final results' count and latest
    decision (a re-imported or re-decided work sets its decision's time). One query."""
    from django.db.models import Count, Max

    from monitoring.models import RecheckWork

    found = RecheckWork.objects.filter(selection__assessment=assessment, status=RecheckWork.Status.FINAL).aggregate(
        n=Count("pk"), latest=Max("decided_at"), last=Max("pk")
    )
    return (found["n"], str(found["latest"]), found["last"])


# kind → the function giving a school's evidence, or None when the signal is not raised (kinds in order).
# Each kind in words, for pages (the JSON and the xlsx keep the kinds' codes).
SIGNAL_LABELS = {
    "boundary_bunching": gettext_lazy("скопление у границы отметки"),
    "inverted_difficulty": gettext_lazy("обратная трудность"),
    "journal_gap": gettext_lazy("расхождение с журналом"),
    "high_results": gettext_lazy("высокие результаты"),
    "stable_low": gettext_lazy("устойчиво низкие"),
    "recheck_delta": gettext_lazy("расхождение при перепроверке"),
}


def signal_label(kind: str) -> str:
    return str(SIGNAL_LABELS.get(kind, kind))


SIGNALS: list[tuple[str, Callable[[Context, SchoolResults], dict | None]]] = [
    ("boundary_bunching", boundary_bunching),
    ("high_results", high_results),
    ("inverted_difficulty", inverted_difficulty),
    ("journal_gap", journal_gap),
    ("recheck_delta", recheck_delta),
    ("stable_low", stable_low),
]


# Reading ----------------------------------------------------------------------------------------------------------


def _sum_tallies(tallies_: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies_:
        total.absent += tally.absent
        total.present += tally.present
        total.results.update(tally.results)
        total.task_points.update(tally.task_points)
    return total


def window_assessments(assessment: Assessment, *, window: int) -> list[Assessment]:
    """The assessment and those of the same subject and grade in the campaigns before its own by window start,
    of the same department, kind and organiser (a trial run or a school's own control is not a year of the ВПР):
    one per campaign (of several, the same level first, then the same code), newest
    first, `window` at most. One query."""
    campaign = assessment.campaign
    earlier = (
        Assessment.objects.filter(
            campaign__department_id=campaign.department_id,
            campaign__kind=campaign.kind,
            campaign__owner_school_id=campaign.owner_school_id,
            campaign__window_start__lt=campaign.window_start,
            subject_id=assessment.subject_id,
            grade=assessment.grade,
        )
        .select_related("campaign")
        .annotate(stamp_version=stamp_version())  # a page's key reads the stamps with the window
        .order_by("-campaign__window_start", "campaign__code", "code")
    )
    chosen: dict[int, Assessment] = {}
    for other in earlier:
        best = chosen.get(other.campaign_id)
        rank = (other.level != assessment.level, other.code != assessment.code)
        if best is None or rank < (best.level != assessment.level, best.code != assessment.code):
            chosen[other.campaign_id] = other
    ordered = sorted(chosen.values(), key=lambda a: (-a.campaign.window_start.toordinal(), a.campaign.code))
    return [assessment, *ordered][:window]


def _low_shares(assessment: Assessment, school: School | None) -> dict:
    """school id → (participants, share of «2») in the assessment, for the schools with a result: what
    `CampaignResults.low_share` counts from a tally, summed per school in SQL (a few hundred rows, not every
    score of the region). One query."""
    from django.db.models import Q, Sum

    from grading.models import ResultSummary

    rows = ResultSummary.objects.filter(assessment=assessment, mark__isnull=False)
    if school is not None:
        rows = rows.filter(school=school)
    return {
        school_id: (int(participants), _share(int(low or 0), int(participants)))
        for school_id, participants, low in rows.values("school_id")
        .annotate(participants=Sum("n"), low=Sum("n", filter=Q(mark=2)))
        .values_list("school_id", "participants", "low")
        .order_by()
        if participants
    }


def _context(assessment: Assessment, thresholds: Thresholds, by_school: dict, school: School | None) -> Context:
    tasks = assessment_tasks(assessment)
    difficulty = dict(Task.objects.filter(assessment=assessment).values_list("pk", "difficulty"))
    municipality = _sum_tallies(list(by_school.values()))
    history = [CampaignResults(assessment.campaign.code, by_school)]
    for earlier in window_assessments(assessment, window=thresholds.stable_low_window)[1:]:
        history.append(CampaignResults(earlier.campaign.code, {}, low_shares=_low_shares(earlier, school)))
    return Context(
        assessment=assessment,
        thresholds=thresholds,
        tasks=tasks,
        difficulty=difficulty,
        municipality=municipality,
        municipality_figures=figures_compute(municipality, tasks=tasks),
        history=history,
        recheck=recheck_results(assessment, school),
    )


def _bunching_windows(context: Context, schools: list[SchoolResults], thresholds: list[Thresholds]) -> list:
    """The (up, up + down, p0) whose binomial tail some thresholds' boundary bunching will ask for."""
    fewest = min(t.bunching_participants for t in thresholds)
    narrowest = min(t.bunching_window for t in thresholds)
    windows = []
    for results in schools:
        if not results.figures.participants or results.figures.participants < fewest:
            continue
        for mark in ("3", "4", "5"):
            up, down, p0 = _boundary_window(results.figures.histogram, int(context.assessment.scale[mark]))
            if up + down >= narrowest:
                windows.append((up, up + down, p0))
    return windows


def assessment_signals(
    assessment: Assessment,
    *,
    school: School | None = None,
    thresholds: Thresholds | None = None,
    tallies_by_school: dict | None = None,
) -> list[Signal]:
    """The signals of one school's results of the assessment, or of every school's (school=None), ordered by
    school code, then kind (never by results, R15). Under the department's current thresholds unless
    `thresholds` are given. A page that has read `tallies(assessment=…, group="school")` already passes them as
    `tallies_by_school`, so that the region is read once.

    Under the department's thresholds every school's signals are cached (grading/cache.py) until the summary rows
    of the assessment or of an earlier one of its window change, or the thresholds do; one school's are taken from
    them."""
    if thresholds is not None:
        return assessment_signals_under(assessment, [thresholds], school=school, tallies_by_school=tallies_by_school)[0]
    thresholds, number = department_thresholds(assessment.campaign.department_id)
    window = window_assessments(assessment, window=thresholds.stable_low_window)
    found = cached(
        "signals",
        (assessment.pk, number, Version("recheck", recheck_version(assessment)), *stamped(each.pk for each in window)),
        lambda: assessment_signals_under(assessment, [thresholds], tallies_by_school=tallies_by_school)[0],
    )
    return found if school is None else [signal for signal in found if signal.school == school.code]


def assessment_signals_under(
    assessment: Assessment,
    thresholds: list[Thresholds],
    *,
    school: School | None = None,
    tallies_by_school: dict | None = None,
) -> list[list[Signal]]:
    """The signals of the assessment under each of several thresholds (a change's before and after), the
    results read once (or taken from `tallies_by_school`: every school's tallies of the assessment with their task
    sums)."""
    codes = dict(School.objects.filter(department_id=assessment.campaign.department_id).values_list("pk", "code"))
    if tallies_by_school is None:
        tallies_by_school = tallies(assessment=assessment, group="school")
    by_school = {pk: t for pk, t in tallies_by_school.items() if pk in codes}
    widest = max(thresholds, key=lambda t: t.stable_low_window)
    shared = _context(assessment, widest, by_school, school)
    schools = [
        SchoolResults(school_id, tally, figures_compute(tally, tasks=shared.tasks))
        for school_id, tally in by_school.items()
        if school is None or school_id == school.pk
    ]
    shared.tails = _binomial_tails(_bunching_windows(shared, schools, thresholds))
    result = []
    for each in thresholds:
        context = replace(shared, thresholds=each, history=shared.history[: each.stable_low_window])
        found = []
        for results in schools:
            if not results.figures.participants:
                continue
            for kind, signal in SIGNALS:
                evidence = signal(context, results)
                if evidence is not None:
                    found.append(Signal(kind=kind, school=codes[results.school_id], evidence=evidence))
        result.append(sorted(found, key=lambda s: (s.school, s.kind)))
    return result
