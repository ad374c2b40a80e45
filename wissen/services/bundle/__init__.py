"""Import and export of content bundles (``../shared/BUNDLE.md``)."""

from .exporter import export_bundle
from .importer import ImportReport, Progress, import_bundle
from .read import Problem, read_bundle

__all__ = ["ImportReport", "Problem", "Progress", "export_bundle", "import_bundle", "read_bundle"]
