"""The code every page shows, generated from one folder of readable templates (``core/code/templates``)."""
