"""Starting texts for new articles, one markdown file per kind under wissen/data/vorlagen."""

from __future__ import annotations

from importlib import resources

from wissen.models import ArticleKind

DESCRIPTIONS = {
    ArticleKind.PRACTICE: "Ein erprobtes Vorhaben aus einer Region – gegliedert so, dass "
    "andere Kommunen es nachmachen können.",
    ArticleKind.REPORT: "Was Sie bei einem Vorhaben erlebt und gelernt haben, aus Ihrer Sicht.",
    ArticleKind.GUIDE: "Eine Schritt-für-Schritt-Anleitung mit Checkliste.",
    ArticleKind.EVENT: "Ein Seminar, eine Tagung oder ein Fachtag mit Vorträgen und Unterlagen.",
}


def skeleton(kind: ArticleKind) -> str:
    """The template text for ``kind``; editors start from it and replace the hints."""
    path = resources.files("wissen") / "data" / "vorlagen" / f"{kind.value}.md"
    return path.read_text(encoding="utf-8")
