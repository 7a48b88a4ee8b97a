"""Prefectural statistics: counts per prefecture, block and nation, with small-cell suppression."""
