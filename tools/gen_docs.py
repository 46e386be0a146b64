"""Regenerate the reference pages: docs/cli.md (click tree) and docs/config.md (config classes).

Run as ``make generate`` (or directly); tests fail when a committed page is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pages() -> dict[Path, str]:
    """Page path -> its generated text."""
    from avs.cli.main import cli
    from avs.cli.reference import cli_markdown
    from avs.configref import config_markdown
    from avs_aggregator.config import AggregatorConfig
    from avs_operator.config import OperatorConfig

    return {
        ROOT / "docs" / "cli.md": cli_markdown(cli),
        ROOT / "docs" / "config.md": config_markdown(
            {"operator": OperatorConfig, "aggregator": AggregatorConfig}
        ),
    }


def main() -> int:
    """Write every page that changed."""
    for path, text in pages().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
