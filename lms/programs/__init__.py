"""Programmes: definitions loaded from course_content/ and their catalogue."""
