from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

#: The ``model`` of the trackings of a private notification (a
#: ``user_notification`` message): Odoo lets only its author and recipients
#: read such a message, not the readers of the record it is about, so the
#: message itself is the document that governs its trackings.
MESSAGE_DOCUMENT = "mail.message"


class MailTrackingEmail(models.Model):
    """Who may read a tracking and its events.

    A tracking is readable exactly when its document is. The document
    (``model``, ``res_id``) is taken from the message when the tracking is
    created and kept when the document or the message is deleted: a tracking
    whose document is gone is for administrators only. A tracking that never
    had a document follows its message, and once the message is gone, its
    partner.
    """

    _inherit = "mail.tracking.email"

    model = fields.Char(
        string="Document model",
        readonly=True,
        help="Model of the record whose readers may read this tracking.",
    )
    res_id = fields.Many2oneReference(
        string="Document ID",
        model_field="model",
        readonly=True,
        help="The record whose readers may read this tracking; kept when it is deleted.",
    )
    is_accessible = fields.Boolean(
        compute="_compute_is_accessible",
        search="_search_is_accessible",
        help="Whether the current user may read the document this tracking is about.",
    )

    #: Every column the access rule reads: the rule runs on the index alone
    #: (index-only scans), not on the wide rows of the table.
    _document_idx = models.Index("(model, res_id) INCLUDE (mail_message_id, partner_id)")

    @api.model
    def _document_values(self, message):
        """``model`` and ``res_id`` of the trackings of ``message``'s emails,
        given at create (see ``_init_documents`` for the same in SQL)."""
        return self._document_of(message.message_type, message.model, message.model and message.res_id, message.id)

    @api.model
    def _document_of(self, message_type, model, res_id, message_id):
        """``_document_values`` of a message known by these values."""
        if message_type == "user_notification":
            return {"model": MESSAGE_DOCUMENT, "res_id": message_id}
        if model and res_id:
            return {"model": model, "res_id": res_id}
        return {"model": False, "res_id": False}

    @api.model
    def _init_documents(self):
        """Give the trackings created before their document was kept the
        document of their message. Those that lost their message already
        cannot tell whether it had a document: they go to administrators
        only, as a tracking whose document is gone."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE mail_tracking_email tracking
                      SET model = CASE WHEN message.message_type = 'user_notification' THEN %(message_model)s
                                       ELSE message.model END,
                          res_id = CASE WHEN message.message_type = 'user_notification' THEN message.id
                                        ELSE message.res_id END
                     FROM mail_message message
                    WHERE tracking.mail_message_id = message.id AND tracking.model IS NULL
                      AND (message.message_type = 'user_notification'
                           OR (message.model IS NOT NULL AND COALESCE(message.res_id, 0) != 0))""",
                message_model=MESSAGE_DOCUMENT,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE mail_tracking_email SET model = %s
                    WHERE mail_message_id IS NULL AND model IS NULL""",
                MESSAGE_DOCUMENT,
            )
        )
        self.invalidate_model(["model", "res_id"])

    def _compute_is_accessible(self):
        # sudo: the domain holds what the user may read; access rules would filter twice
        accessible = self.sudo().search(Domain("id", "in", self.ids) & self._accessible_domain())
        for tracking in self:
            tracking.is_accessible = tracking in accessible

    def _search_is_accessible(self, operator, value):
        # Odoo turns ``= True`` and the other operators into ``in``
        return self._accessible_domain() if operator == "in" else NotImplemented

    @api.model
    def _accessible_domain(self):
        """Domain of the trackings the current user may read, all in SQL
        (see the class): the trackings of the documents the user may read;
        of the messages the user wrote, received or was notified of, for a
        document that is a private notification or a record of a model
        without a chatter, or for no document; and, for no document and no
        message, of the partners the user may read."""
        user = self.env.user
        if user._is_superuser() or user.has_group("base.group_system"):
            return Domain.TRUE
        as_user = self.env(su=False)
        thread_models = self._thread_model_names()
        partners = as_user["res.partner"].with_context(active_test=False)._search([])
        return Domain.OR(
            [
                self._readable_documents_domain(as_user, thread_models),
                # the user's messages as a union of index scans, not a join of
                # every tracking with its message
                Domain("model", "not in", thread_models)
                & Domain("mail_message_id", "in", self.env["mail.message"]._own_messages_sql()),
                Domain("model", "=", False)
                & Domain("mail_message_id", "=", False)
                & Domain("partner_id", "in", partners),
            ]
        )

    @api.model
    def _readable_documents_domain(self, env, model_names):
        """Trackings domain: of a record of ``model_names`` that ``env``'s
        user may read, and that still exists."""
        domains = []
        for model_name in model_names:
            Model = env[model_name].with_context(active_test=False)
            if Model.has_access("read"):
                domains.append(Domain("model", "=", model_name) & Domain("res_id", "in", Model._search([])))
        return Domain.OR(domains)

    @api.model
    def _thread_model_names(self):
        Thread = self.env.registry["mail.thread"]
        return [
            name
            for name, Model in self.env.registry.items()
            if issubclass(Model, Thread) and not Model._abstract and not Model._transient
        ]
