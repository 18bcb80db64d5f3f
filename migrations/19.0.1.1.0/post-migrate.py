from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Trackings now keep the document their access follows: fill it in for
    the existing ones, from their message."""
    api.Environment(cr, SUPERUSER_ID, {})["mail.tracking.email"]._init_documents()
