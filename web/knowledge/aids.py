"""What the knowledge base adds beside a move's text box: the saved replies rendered for the
case (常用回复), the search panel of the knowledge base, and the reply a form starts with.

The case page (``web/caseviews``) asks ``move_aids`` for its move page and
``auto_fill_initials`` for the forms it draws inline; the desk includes the panel alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.models import Case, EventKind
from cases.moves import MoveSpec
from cases.scope import REQUESTER_TEXT_KINDS
from knowledge import scope
from knowledge.models import Article, SavedReply
from knowledge.replies import auto_fill_initials, rendered_replies, text_field_name
from knowledge.selectors import PANEL_RESULTS, search
from people.models import User

# The texts written for the requester (an answer, a refusal, a question) get the search panel;
# the requester's own moves (a rating, added information) are not made on staff pages.
PANEL_KINDS = REQUESTER_TEXT_KINDS - {EventKind.RATED, EventKind.INFO_ADDED}


@dataclass
class MoveAids:
    target: str  # the id of the text box the aids write into
    replies: list[tuple[SavedReply, str]]
    initial: dict[str, str] = field(default_factory=dict)
    panel: bool = False
    query: str = ""
    articles: list[Article] = field(default_factory=list)


def panel_articles(user: User, query: str) -> list[Article]:
    """The published articles for ``query`` the panel lists (none for a blank query)."""
    if not query.strip():
        return []
    articles = scope.readable_articles(user).published()
    return list(search(articles, query)[:PANEL_RESULTS])


def move_aids(user: User, case: Case, spec: MoveSpec) -> MoveAids | None:
    """The aids of ``spec``'s page for ``user`` on ``case``; None when it has no text box or
    the user is not staff. The panel opens with the case's title searched."""
    name = text_field_name(spec.form)
    if name is None or not scope.may_read(user):
        return None
    aids = MoveAids(
        target=f"id_{name}",
        replies=rendered_replies(user, case),
        initial=auto_fill_initials(user, case, [spec]).get(spec.kind, {}),
        panel=spec.kind in PANEL_KINDS,
    )
    if aids.panel:
        aids.query = case.title
        aids.articles = panel_articles(user, case.title)
    return aids


def offered(user: User, spec: MoveSpec) -> str:
    """What ``spec``'s page offers ``user`` beside its text box: "panel" (saved replies and the
    knowledge search), "replies" (saved replies only) or "" (nothing). No query."""
    if text_field_name(spec.form) is None or not scope.may_read(user):
        return ""
    return "panel" if spec.kind in PANEL_KINDS else "replies"


def inline_initials(user: User, case: Case, specs: list[MoveSpec]) -> dict[str, dict[str, str]]:
    """The auto-filled text of each move drawn inline on the case page (one query)."""
    return auto_fill_initials(user, case, specs)
