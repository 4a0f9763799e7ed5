"""The engine's version, stored by the desk beside each reading.

Bump the minor number when the shipped weights or a cue list change (a reading may
differ), the major number when ``Reading``'s fields change meaning."""

ENGINE_VERSION = "2.4.0"
