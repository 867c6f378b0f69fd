"""One database, several missions: each model says where its mission is, and one helper filters by it.

Every model of the product apps declares `mission_path`, the lookup from its rows to their
crsv_mis.Mission ("mission", "incident__mission", ...), or `mission_path = None` with the reason
when it holds no mission's data (lists shared on purpose, such as the forms of violence). A test
walks every installed model of the product apps, so a new model cannot forget it.
"""

from django.db.models import QuerySet

PRODUCT_APPS = ("crsv_mis", "incidents", "mara", "referrals", "reporting", "lifecycle")


def mission_path(model):
    """The model's own declaration (not one inherited): the path to its mission, or None."""
    if "mission_path" not in vars(model):
        raise LookupError(f"{model.__name__} does not declare its mission_path")
    return vars(model)["mission_path"]


def of_mission(queryset_or_model, mission):
    """The rows of `mission` (a Mission or its id). A model that holds no mission's data comes back
    whole; no mission at all (an account without one) gives no row."""
    queryset = queryset_or_model if isinstance(queryset_or_model, QuerySet) \
        else queryset_or_model._default_manager.all()
    path = mission_path(queryset.model)
    if path is None:
        return queryset
    if mission is None:
        return queryset.none()
    return queryset.filter(**{path: getattr(mission, "pk", mission)})
