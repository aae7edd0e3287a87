"""Allow `python -m stripe_p21`."""

from stripe_p21.cli import main

main()
