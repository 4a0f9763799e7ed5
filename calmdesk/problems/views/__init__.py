"""The problems pages (layer 7): the sidebar box, the list and page, answer all, the report."""
