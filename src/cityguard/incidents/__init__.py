"""Incidents: grading, response, tasks, dispatch, timeline, after-action."""
