"""Which rows of each archived model belong to the mission being archived.

A closure archive is handed to one mission's successor office: it holds that mission's records and
nothing of any other mission that shares the database. A row belongs to the mission its foreign
keys lead to (a consent -> its victim -> its incident -> the mission), found from the models
themselves so that a model added later is scoped too; a model with no way to its mission is an
error (a test keeps that list empty), never archived whole by default.

Besides the mission's own rows, the archive needs the rows they point to:
- people: the mission's accounts, accounts of no mission (administrators, django-guardian's
  anonymous user), and any other account a mission row names (an officer since moved elsewhere);
- places: the mission's country and everything under it, any place a mission row names, and the
  places above those.
Shared rows that belong to no mission and say nothing about one are kept whole (SHARED). The
audit trail is one hash chain across missions. An event is the mission's when its person is, or,
recorded by the system, when its record is (an event of the deployment itself, naming no record,
such as a backup, is kept too). Any other event is kept as retention anonymises it (who, from
where, why and the detail erased; time, action and object kept, as the chain's hashes cover
them), so that the restored chain still verifies.
"""

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

MISSION = "crsv_mis.mission"
LOCATION = "crsv_mis.location"
AUDIT_EVENTS = "crsv_mis.auditevent"
SHARED = frozenset({"incidents.formofviolence", "auth.group", "auth.group_permissions",
                    "guardian.groupobjectpermission", "crsv_mis.auditchainhead"})
# The old deployment's task outbox: ids of records of any mission, nothing a successor restores.
NOT_KEPT = frozenset({"crsv_mis.queuedtask"})
# Personal fields of an audit event, as audit.anonymise erases them.
ERASED_EVENT_FIELDS = {"user_id": None, "username": "", "ip": None, "reason": "", "detail": {}, "identity_salt": ""}


class Unscoped(LookupError):
    pass


def _user_label():
    return settings.AUTH_USER_MODEL.lower()


def _relations(model):
    return [f for f in model._meta.local_concrete_fields if f.is_relation and f.related_model is not model]


def mission_path(model, _seen=()):
    """The lookup from `model` to its mission's id ("mission" for an incident, "victim__incident__mission"
    for a consent), or None. Through another record before through a person; never through a place
    (places are shared by missions of one country)."""
    label = model._meta.label_lower
    if label == MISSION:
        return "pk"
    relations = _relations(model)
    for f in relations:
        if f.related_model._meta.label_lower == MISSION:
            return f.name
    for f in sorted(relations, key=lambda f: f.related_model._meta.label_lower == _user_label()):
        target = f.related_model._meta.label_lower
        if target in _seen or target == LOCATION:
            continue
        path = mission_path(f.related_model, (*_seen, label))
        if path:
            return f"{f.name}__{path}"
    return None


def unscoped(models):
    """Archived models whose rows could not be told apart by mission."""
    special = SHARED | NOT_KEPT | {LOCATION, _user_label(), AUDIT_EVENTS}
    return [m._meta.label_lower for m in models
            if m._meta.label_lower not in special and mission_path(m) is None]


class MissionScope:
    """The rows of one mission, model by model, for an export from database `using`."""

    def __init__(self, mission, models, using):
        self.mission, self.using = mission, using
        self.models = list(models)
        problems = unscoped(self.models)
        if problems:
            raise Unscoped("No way from these models to their mission: " + ", ".join(problems))
        self.user_ids = self._users()
        self.mission_user_ids = set(self._manager(apps.get_model(settings.AUTH_USER_MODEL))
                                    .filter(mission_id=mission.pk).values_list("pk", flat=True))
        self.location_ids = self._locations()
        self.erased_at = timezone.now()
        self._object_ids = {}

    def _manager(self, model):
        return model._base_manager.using(self.using)

    def _own(self, model):
        return self._manager(model).filter(**{mission_path(model): self.mission.pk})

    def _referenced(self, target_label):
        """Ids of `target_label` rows that the mission's own rows point to."""
        ids = set()
        for model in self.models:
            label = model._meta.label_lower
            if label in SHARED | NOT_KEPT or label in (LOCATION, _user_label(), AUDIT_EVENTS):
                continue
            for f in _relations(model):
                if f.related_model._meta.label_lower == target_label:
                    ids.update(self._own(model).exclude(**{f.attname: None})
                               .values_list(f.attname, flat=True).distinct())
        return ids

    def _users(self):
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        own = self._manager(user_model).filter(Q(mission_id=self.mission.pk) | Q(mission__isnull=True))
        return set(own.values_list("pk", flat=True)) | self._referenced(_user_label())

    def _locations(self):
        location = apps.get_model(LOCATION)
        ids = self._referenced(LOCATION)
        ids |= set(location.objects.db_manager(self.using).of_mission(self.mission).values_list("pk", flat=True))
        # ...and every place above those, so that each row's parent is there too.
        missing = ids
        while missing:
            above = set()
            for row in self._manager(location).filter(pk__in=missing).values_list("parent_id", "admin1_id",
                                                                                    "admin2_id"):
                above.update(pk for pk in row if pk is not None)
            missing = above - ids
            ids |= missing
        return ids

    def _names_the_mission_or_nothing(self, object_type, object_id):
        if not object_type:
            return True
        if object_type not in self._object_ids:
            try:
                model = apps.get_model(object_type)
            except (LookupError, ValueError):
                model = None
            archived = model is not None and model in self.models
            self._object_ids[object_type] = (
                {str(pk) for pk in self.rows(model).values_list("pk", flat=True)} if archived else set())
        return object_id in self._object_ids[object_type]

    def rows(self, model):
        """The queryset of `model` rows the archive holds."""
        label = model._meta.label_lower
        if label in NOT_KEPT:
            return self._manager(model).none()
        if label in SHARED or label == AUDIT_EVENTS:
            return self._manager(model).all()
        if label == _user_label():
            return self._manager(model).filter(pk__in=self.user_ids)
        if label == LOCATION:
            return self._manager(model).filter(pk__in=self.location_ids)
        return self._own(model)

    def transform(self, model, attnames):
        """A function rewriting one row's values before it is written, or None: another mission's
        audit events lose their personal fields, as retention erases them."""
        if model._meta.label_lower != AUDIT_EVENTS:
            return None
        user_index = attnames.index("user_id")
        object_indexes = attnames.index("object_type"), attnames.index("object_id")
        erased = {attnames.index(name): value for name, value in ERASED_EVENT_FIELDS.items()}
        stamp = attnames.index("anonymised_at")

        def erase_others(values):
            user_id = values[user_index]
            if user_id in self.mission_user_ids or (
                    user_id is None and self._names_the_mission_or_nothing(*(values[i] for i in object_indexes))):
                return values
            values = list(values)
            for index, value in erased.items():
                values[index] = value
            values[stamp] = values[stamp] or self.erased_at
            return values
        return erase_others
