"""``python -m ibias_lib.experiments sweep [KEYS]``: the claims sweep (see :mod:`ibias_lib.claims`)."""
import sys

from ibias_lib.claims import main

sys.exit(main())
