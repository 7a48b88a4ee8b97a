"""Reference data: prefectures, blocks, member organisations, specialties."""
