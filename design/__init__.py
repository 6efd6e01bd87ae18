"""The design document model: sections, typed fields, criteria, completeness. Pure Python."""
