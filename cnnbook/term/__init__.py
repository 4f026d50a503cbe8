"""An instructor's term, built on the grader's rows (grades.csv): the course
file and the roster, late rules, hand-graded prose merged from a spreadsheet,
the gradebook and the LMS import, each student's feedback page, the class
report, and regrading one student (``make grade ROSTER=... MANUAL=... ONLY=...``)."""
