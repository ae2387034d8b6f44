"""The ``rathaus`` console command: Django's manage.py for an installed Rathaus."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rathaus", *sys.argv[1:]])


if __name__ == "__main__":
    main()
