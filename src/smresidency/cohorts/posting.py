"""The approved alternative to public posting that a cohort uses on its immersion day."""

POSTING_MODES = {
    "sandbox": "An organization's sandbox or test account",
    "private": "Private or unlisted posts that only the cohort and faculty can see",
    "draft": "Drafts shown to faculty, never posted",
}
DEFAULT_POSTING_MODE = "sandbox"


def posting_mode_label(mode: str | None) -> str:
    """The words a learner sees for the cohort's mode (the default for an unknown value)."""
    return POSTING_MODES.get(mode or "", POSTING_MODES[DEFAULT_POSTING_MODE])
