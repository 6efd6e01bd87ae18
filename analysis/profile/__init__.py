"""A dataset's profile: per-column statistics (column_stats), missing values (missing), alerts (alerts),
put together by describe."""
