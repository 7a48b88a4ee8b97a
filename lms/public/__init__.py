"""Prefectures' publicity (周知): public pages, pamphlets and open data, no login."""
