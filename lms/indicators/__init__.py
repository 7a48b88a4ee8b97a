"""Prefectural indicators (指標): targets of a 医療計画 against values counted live."""
