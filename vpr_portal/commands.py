"""The batch interface's shared conventions (docs/commands.md): exit 0 with a one-line summary, exit 1 with every
problem on stderr in Russian and nothing written, exit 2 for wrong arguments (argparse's own)."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from .tables import InputRefused


class BatchCommand(BaseCommand):
    """Subclasses implement `run(**options) -> str` returning the summary line."""

    requires_system_checks: list = []

    def run(self, **options) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        try:
            summary = self.run(**options)
        except InputRefused as refused:
            self.refuse([str(problem) for problem in refused.problems])
        except ValidationError as error:
            self.refuse(list(error.messages))
        self.stdout.write(summary)

    def refuse(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        self.stderr.flush()
        sys.exit(1)
