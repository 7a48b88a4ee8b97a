"""OJT sites, placements and matching rounds."""
