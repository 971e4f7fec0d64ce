"""`python -m zendesk_sla.cli`."""

import sys

from zendesk_sla.cli import main

sys.exit(main())
