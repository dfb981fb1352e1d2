"""``field__any_of=[values]``: a field that is one of a long list of values, for the loads.

Django's ``__in`` writes one parameter per value (``IN (%s, %s, …)``) and prepares each on
its own: for the tens of thousands of keys a load looks up, writes or recounts, building and
sending those statements cost more than the database's work (a tenth of a 20,000-transfer
load). ``any_of`` sends the list as one array on PostgreSQL (``= ANY(%s)``, which the planner
treats as the ``IN`` list it rewrites an ``IN`` into) and as an ``IN`` list elsewhere. Its
values are plain ones (keys, codes), prepared by the field; ``None`` matches nothing, as in
``__in``, and an empty list matches no row.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


@Field.register_lookup
@ForeignObject.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        field = self.lhs.output_field
        target = getattr(field, "target_field", field)  # a foreign key compares its target's values
        return [target.get_prep_value(value) for value in dict.fromkeys(self.rhs) if value is not None]

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*lhs_params, *self.rhs)
