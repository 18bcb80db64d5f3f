"""What the routes of requests from outside Odoo share (the open pixel, the
click redirect, the mail providers' webhooks): a public route, the registry
of the database a request names, a transaction committed before the answer
leaves, and the hand-off writer told of the row kept."""

from contextlib import contextmanager

from odoo import SUPERUSER_ID, api, http
from odoo.http import request
from odoo.modules.registry import Registry

from ..services.handoff_writer import HANDOFF_WRITER

MOBILE_PLATFORMS = {"android", "iphone", "ipad", "blackberry", "symbian"}


def client_route(paths, methods):
    """The route of a request from outside Odoo (a mail client, a mail
    provider): public, without session or CSRF token, and writing (what it
    brings is kept at once)."""
    return http.route(paths, type="http", auth="none", methods=methods, csrf=False, save_session=False, readonly=False)


def client_metadata(httprequest):
    """``event_create`` metadata about the client behind a request; what
    kind of client it is, the open is told when recorded
    (``tools.open_classifier``)."""
    user_agent = httprequest.user_agent
    return {
        "ip": httprequest.remote_addr,
        "user_agent": (user_agent.string or "")[:512],
        "os_family": user_agent.platform or False,
        "ua_family": user_agent.browser or False,
        "mobile": user_agent.platform in MOBILE_PLATFORMS,
    }


def tracking_registry(db):
    """The registry of ``db`` if this server may serve it and the addon is
    installed there, else ``None``."""
    if not http.db_filter([db]):
        return None
    if db not in Registry.registries and db not in http.db_list(force=True):
        return None
    registry = Registry(db)
    return registry if "mail.tracking.email" in registry else None


@contextmanager
def handoff_env(registry):
    """A superuser environment on ``registry`` whose transaction commits
    before the answer leaves: the request's own when it is served on that
    database (rolled back if anything fails in it), else one of its own."""
    if request.db == registry.db_name and not request.env.cr.readonly:
        try:
            yield request.env(user=SUPERUSER_ID, su=True)
        except BaseException:
            request.env.cr.rollback()
            raise
    else:
        with registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})


def tell_handoff_writer(env):
    """A row was kept in ``mail.tracking.handoff`` in the transaction of
    ``env``: tell the hand-off writer now (it waits ``FLUSH_DELAY``, by
    which time the request has usually committed) and once committed."""
    db = env.cr.dbname
    HANDOFF_WRITER.notify(db)
    env.cr.postcommit.add(lambda: HANDOFF_WRITER.notify(db))
