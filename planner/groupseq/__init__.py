from .plan import InterimPlan, plan_from_dict, validate_plan  # noqa: F401
