"""A class's submissions: run each in a sandboxed kernel, read its answers as
data, judge them outside the student's kernel, report the grades; and the same
course exported for nbgrader, and the repository students get."""
