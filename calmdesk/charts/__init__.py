"""Server-rendered SVG charts for the reports and the problems pages (no JavaScript)."""
