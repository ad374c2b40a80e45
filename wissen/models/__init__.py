"""SQLAlchemy 2.0 models of wissen, one module per domain."""

from .articles import Article, ArticleKind, ArticleStatus, Revision, SlugRedirect
from .audit import AuditEvent, IndexChange
from .base import Base, LabelledEnum, utcnow
from .contacts import Contact, ContactVisibility
from .documents import (
    Document,
    DocumentKind,
    DocumentPage,
    DocumentStatus,
    DocumentVersion,
)
from .search import SearchMiss, ThesaurusText
from .taxonomy import REGION_KINDS, Region, Tag, Theme
from .users import Role, TokenKind, User, UserToken

__all__ = [
    "REGION_KINDS",
    "Article",
    "ArticleKind",
    "ArticleStatus",
    "AuditEvent",
    "Base",
    "Contact",
    "ContactVisibility",
    "Document",
    "DocumentKind",
    "DocumentPage",
    "DocumentStatus",
    "DocumentVersion",
    "IndexChange",
    "LabelledEnum",
    "Region",
    "Revision",
    "Role",
    "SearchMiss",
    "SlugRedirect",
    "Tag",
    "Theme",
    "ThesaurusText",
    "TokenKind",
    "User",
    "UserToken",
    "utcnow",
]
