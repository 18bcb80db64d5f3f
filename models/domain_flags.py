"""Boolean fields that say whether a record is in a domain (a failed
message of the user's, a tracking the user may read): computed by one
search, searched by the domain itself."""

from odoo.fields import Domain


def compute_in_domain(records, field_name, domain):
    """Set ``field_name`` of each of ``records`` to whether it is in
    ``domain``, in one search. The domain states itself what the user may
    see."""
    # sudo: the domain holds what the user may see; access rules would filter twice
    inside = records.sudo().search(Domain("id", "in", records.ids) & domain)
    for record in records:
        record[field_name] = record in inside


def search_in_domain(operator, domain_of):
    """The search of such a flag: the domain ``domain_of()`` gives, for
    ``in`` (Odoo turns ``= True`` and the others into it)."""
    return domain_of() if operator == "in" else NotImplemented
