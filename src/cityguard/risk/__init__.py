"""Risk register: risk points, assessments (LEC, matrix) and four-colour grading."""
