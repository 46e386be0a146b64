"""Templates of ``avs task-type new`` (data only; ``${name}`` placeholders, string.Template)."""
