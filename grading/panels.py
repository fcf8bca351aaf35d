"""Panels other apps add to a school's results page of an assessment (grading:results_figures), so that grading
knows nothing of them: the app that owns a panel registers its provider from its AppConfig.ready()
(monitoring: the management decisions of the earlier campaigns, shown beside the new results).

A provider is called as `provider(viewer=…, campaign=…, school=…, assessment=…, skills=…)` and returns a
`ResultsPanel` or None (nothing to show to this viewer). `skills` are the school's completion by skill
(grading.completion.TaskGroup), or None when only the panel's `key` is wanted: the department's copy of the page
is cached (grading/page_cache.py), and the key says what the panel shows, so that a change gives a new page."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResultsPanel:
    template: str  # rendered with the page's context plus `panel` (the context below)
    context: dict = field(default_factory=dict)
    key: object = None  # what the panel shows, for the page's cache key (same for everyone of a scope)


_providers: list[Callable[..., ResultsPanel | None]] = []


def register_results_panel(provider: Callable[..., ResultsPanel | None]) -> None:
    """Adds a provider of a panel of the results page (once, however often it is registered)."""
    if provider not in _providers:
        _providers.append(provider)


def results_panels(*, viewer, campaign, school, assessment, skills=None) -> list[ResultsPanel]:
    """The panels the registered providers give this viewer, in the order they were registered."""
    panels = []
    for provider in _providers:
        panel = provider(viewer=viewer, campaign=campaign, school=school, assessment=assessment, skills=skills)
        if panel is not None:
            panels.append(panel)
    return panels
