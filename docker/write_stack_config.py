"""Write a service's config file from StackConfig.from_env() before the compose service starts it.

``python docker/write_stack_config.py composer-api|refscheduler`` prints the path it wrote. The local
stack does the same through stack.services, so both stacks configure the services the same way.
"""

from __future__ import annotations

import sys

from stack.config import StackConfig
from stack.services import write_composer_config, write_refscheduler_config

WRITERS = {"composer-api": write_composer_config, "refscheduler": write_refscheduler_config}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in WRITERS:
        print(f"usage: write_stack_config.py {'|'.join(WRITERS)}", file=sys.stderr)
        return 2
    print(WRITERS[argv[0]](StackConfig.from_env()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
