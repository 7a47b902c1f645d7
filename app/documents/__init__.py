"""PDF documents rendered with WeasyPrint."""
