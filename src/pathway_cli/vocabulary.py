"""The record's own words (statuses, roles, areas...) as reports show them, for the catalogues.

Templates show a record's identifier with the ``words`` filter (``in-progress`` -> "in
progress", translated) or as it is with ``term`` (``vet-school``, translated). These calls
of ``N_`` put every such word into the catalogues; tests/test_i18n.py checks that every
value the format allows is here.
"""

from __future__ import annotations

from pathway_cli.i18n import N_

__all__ = ["RECORD_TERMS", "RECORD_WORDS"]

# Shown with the words filter.
RECORD_WORDS = (
    # Status
    N_("referred"), N_("active"), N_("paused"), N_("completed"), N_("left"),
    # Outcome
    N_("transferred"), N_("employed"), N_("dropped out"), N_("re engaged"), N_("other"),
    # Group
    N_("early leaver"), N_("at risk"), N_("transition"), N_("low performing"), N_("migrant"),
    N_("vet school"), N_("vet work based"), N_("re entry"),
    # Mode
    N_("school based"), N_("work based"), N_("dual"), N_("second chance"),
    # Role
    N_("coach"), N_("mentor"), N_("peer mentor"), N_("teacher"), N_("trainer"),
    N_("counsellor"), N_("social worker"), N_("psychologist"), N_("health"), N_("employer"),
    N_("parent"), N_("guardian"),
    # Audience
    N_("learner"), N_("team"),
    # NeedCategory
    N_("learning"), N_("language"), N_("social"), N_("financial"),
    # GoalArea
    N_("career"), N_("wellbeing"), N_("attendance"), N_("basic skills"),
    # GoalStatus
    N_("planned"), N_("in progress"), N_("achieved"), N_("dropped"),
    # ReviewKind
    N_("mentoring"), N_("coaching"), N_("progress review"), N_("case conference"),
    N_("check in"),
    # Party
    N_("provider"),
    # LearningKind
    N_("formal"), N_("non formal"), N_("informal"),
    # CredentialType
    N_("badge"), N_("micro credential"), N_("certificate"),
    # risk levels
    N_("red"), N_("amber"), N_("green"),
)

# Shown with the term filter, as the record has them.
RECORD_TERMS = (
    # Group
    N_("early-leaver"), N_("at-risk"), N_("transition"), N_("low-performing"), N_("migrant"),
    N_("vet-school"), N_("vet-work-based"), N_("re-entry"),
    # LearningKind
    N_("formal"), N_("non-formal"), N_("informal"),
    # GoalStatus (alerts)
    N_("in-progress"),
)
