"""Planning the scheduler's jobs from the schedules in the database."""

from lms.reports.scheduler import plan_reconciliation


def test_new_schedules_are_added():
    plan = plan_reconciliation({}, {"a": "0 9 * * *"})
    assert plan.add == {"a": "0 9 * * *"} and not plan.replace and not plan.remove


def test_changed_timetables_are_replaced_and_gone_schedules_removed():
    current = {"a": "0 9 * * *", "b": "0 10 * * *", "c": "* * * * *"}
    desired = {"a": "0 9 * * *", "b": "30 10 * * *", "d": "0 0 1 * *"}
    plan = plan_reconciliation(current, desired)
    assert plan.add == {"d": "0 0 1 * *"}
    assert plan.replace == {"b": "30 10 * * *"}
    assert plan.remove == {"c"}


def test_nothing_to_do_is_falsy():
    assert not plan_reconciliation({"a": "* * * * *"}, {"a": "* * * * *"})
