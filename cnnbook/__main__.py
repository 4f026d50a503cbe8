"""``python -m cnnbook``: the same as the ``cnnbook`` command."""

import sys

from cnnbook.commands import main

sys.exit(main())
