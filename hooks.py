"""Switching from the community ``mail_tracking``, which keeps its history in
the same tables as this addon (see readme/INSTALL.rst).

Installing this addon on a database where ``mail_tracking`` is installed
marks ``mail_tracking`` for removal in the same update. Odoo then installs
this addon first, whose own external ids for the shared models, fields,
selection values and constraints tell Odoo's uninstall of ``mail_tracking``
(at the end of the update) to keep the tables, columns and rows, and to drop
only what is ``mail_tracking``'s alone: its views, menus, access rules and
settings. Odoo reloads the registry without it before the update ends.
"""

import logging

from odoo.exceptions import UserError

from .models.ir_module_module import REPLACED_MODULE, refusal_message

_logger = logging.getLogger(__name__)

#: Where ``mail_tracking``'s own records (its demo data) are history: they are
#: detached from it, so that its uninstall keeps them.
HISTORY_MODELS = ("mail.message", "mail.tracking.email", "mail.tracking.event")

#: States of ``mail_tracking`` in which this addon takes its data over.
TAKEOVER_STATES = ("installed", "to upgrade", "to remove")


def _replaced_module(env):
    return env["ir.module.module"].search([("name", "=", REPLACED_MODULE)])


def _installed_by_this_update(env, replaced):
    """Whether ``mail_tracking`` was installed by the update installing this
    addon: asked for together, Odoo installs it first (it depends on ``mail``
    only, this addon on ``privacy_lookup`` too) and commits it."""
    return replaced.state == "installed" and REPLACED_MODULE in env.registry.updated_modules


def pre_init_hook(env):
    """Take over ``mail_tracking`` if it is installed; refuse to be installed
    together with it."""
    replaced = _replaced_module(env)
    if replaced.state == "to install" or _installed_by_this_update(env, replaced):
        raise UserError(refusal_message(env))
    if replaced.state not in TAKEOVER_STATES:
        return
    dependents = replaced.downstream_dependencies()
    if dependents:
        raise UserError(
            env._(
                "Email activity tracking cannot replace mail_tracking while modules that depend on it are "
                "installed: %(modules)s. Uninstall them first, then install Email activity tracking again.",
                modules=", ".join(dependents.mapped("name")),
            )
        )
    env["ir.model.data"].search([("module", "=", REPLACED_MODULE), ("model", "in", HISTORY_MODELS)]).unlink()
    if replaced.state != "to remove":
        replaced.button_uninstall()
    _logger.warning(
        "Email activity tracking takes over mail_tracking: its %s tracking emails and %s events are kept, "
        "and mail_tracking is uninstalled at the end of this update without dropping them.",
        env["mail.tracking.email"].search_count([]),
        env["mail.tracking.event"].search_count([]),
    )


def post_init_hook(env):
    """After a takeover, store the Message-ID of the emails ``mail_tracking``
    sent (it read it from their message; this addon stores it when an email
    leaves), so that their bounces still find their trackings. Emails that
    never left (waiting, or ``error``) have none.

    Trackings already in the database get the document of their message,
    which their access follows."""
    env["mail.tracking.email"]._init_documents()
    if _replaced_module(env).state != "to remove":
        return
    env["mail.tracking.email"].flush_model()
    env.cr.execute(
        """UPDATE mail_tracking_email tracking SET message_id = message.message_id
             FROM mail_message message
            WHERE tracking.mail_message_id = message.id AND tracking.message_id IS NULL
              AND tracking.state != 'error'"""
    )
    env["mail.tracking.email"].invalidate_model(["message_id"])
