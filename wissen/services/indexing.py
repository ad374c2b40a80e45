"""The only way a change reaches the search index: an outbox row in the same transaction.

Every service that creates, edits, renames, deletes or restores an article, document or
contact calls ``record_change`` before it commits; the job consumer applies the rows to
the index after the commit, so an edit is never lost to an index failure.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from wissen.models import Article, Contact, Document, IndexChange

Indexable = Article | Document | Contact

_TYPES = {Article: "article", Document: "document", Contact: "contact"}


def record_change(session: Session, obj: Indexable) -> None:
    """Note that ``obj`` changed; it must have an id (call ``session.flush()`` first)."""
    if obj.id is None:
        session.flush()
    session.add(IndexChange(object_type=_TYPES[type(obj)], object_id=obj.id))
