"""Demo data: hand-written message templates (``texts``) combined by a seeded generator
(``generate``), and the ``calmdesk demo`` command (``command``)."""

from calmdesk.desk.demo.command import cmd_demo

__all__ = ["cmd_demo"]
