import sys

from reward_sdk.cli import main

sys.exit(main())
