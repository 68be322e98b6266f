"""The bureau's checks: reproducible draws, inspection rounds, phone checks, satisfaction surveys."""
