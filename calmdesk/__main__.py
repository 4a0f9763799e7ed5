import sys

from calmdesk.cli import main

sys.exit(main())
