"""Who may do what with the addon's data: every model, field, route and
action, for each kind of user, as a table. Each cell runs the operation as
that user (ORM calls in the test, routes and RPC calls as real HTTP requests)
and undoes it, then checks the outcome the table expects: ``Y`` the user gets
the real data or the action is done, ``N`` the user gets nothing, a neutral
value or a clear error, and nothing changed."""

import inspect
from contextlib import closing

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TrackingCase

ADDON = "mail_activity_tracking"
USERS = ("admin", "author", "editor", "reader", "outsider", "portal", "public")
#: What ``attempt`` answers for an operation refused with AccessError.
DENIED = object()

#: Expected outcome per cell, one letter per user in the order of ``USERS``.
MATRIX = {
    # mail.tracking.email
    "tracking search": "YYYYNNN",
    "tracking read subject": "YYYYNNN",
    "tracking read_group": "YYYYNNN",
    "tracking read token": "YNNNNNN",
    "tracking write": "YNNNNNN",
    "tracking create": "YNNNNNN",
    "tracking unlink": "YNNNNNN",
    # mail.tracking.event
    "event search": "YYYYNNN",
    "event read ip": "YYYYNNN",
    "event read_group": "YYYYNNN",
    "event write": "YNNNNNN",
    "event create": "YNNNNNN",
    "event unlink": "YNNNNNN",
    # res.partner fields (a contact every internal user reads; portal and
    # public users read their own)
    "partner email_score": "YYYYNNN",
    "partner tracking_emails_count": "YYYYNNN",
    "partner email_bounced": "YYYYYYY",
    # public methods, through RPC
    "rpc email_score_from_email": "YYYYNNN",
    "rpc email_is_bounced": "YYYYNNN",
    "rpc get_bounce_warnings": "YYYYNNN",
    "rpc event_create": "YNNNNNN",
    "rpc action_view_tracking_emails": "YYYYYNN",
    # clearing a bounce clears the contacts' flag: it takes the right to edit contacts
    "rpc action_clear_bounce": "YNYNNNN",
    "rpc action_anonymize_tracking": "YNNNNNN",
    "rpc action_open_mailing_trace": "YYYYNNN",
    # routes
    "route statuses": "YYYYNNN",
    "route details": "YYYYNNN",
    "route failed mailbox": "NYYYNNN",
    "route thread failed": "NYYYNNN",
    "route failed box at start": "YYYYYNN",
    # actions on the failed message, and whether the client offers them (on
    # the messages of the user's Failed box)
    "offers review and retry": "NYYNNNN",
    "action review": "YYYNNNN",
    "action retry": "YYYNNNN",
    "action review all": "NYYNNNN",
}


def addon_user_routes():
    """The routes of the addon's controllers that need a signed-in user."""
    routes = set()
    for controller in http.Controller.children_classes.get(ADDON, []):
        for _name, method in inspect.getmembers(controller, inspect.isfunction):
            routing = getattr(method, "original_routing", None) or {}
            if routing.get("auth") == "user":
                routes.update(routing.get("routes", ()))
    return routes


def addon_public_methods(env):
    """``model.method`` of the methods a client may call (their name has
    no leading ``_``) that the addon's models define and Odoo's do not."""
    methods = set()
    for model_name in env.registry:
        definitions = [cls for cls in type(env[model_name]).__mro__ if getattr(cls, "pool", None) is None]
        for cls in definitions:
            if not cls.__module__.startswith(f"odoo.addons.{ADDON}."):
                continue
            for name, value in vars(cls).items():
                overrides = any(
                    name in vars(other)
                    for other in definitions
                    if not other.__module__.startswith(f"odoo.addons.{ADDON}.")
                )
                if inspect.isfunction(value) and not name.startswith("_") and not overrides:
                    methods.add(f"{model_name}.{name}")
    return methods


@tagged("post_install", "-at_install")
class TestAccessMatrix(HttpCase, TrackingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        other_company = cls.env["res.company"].create({"name": "Other company"})
        cls.record.company_id = company
        internal = {"groups": "base.group_user", "company_id": company.id, "company_ids": [(6, 0, company.ids)]}
        cls.users = {
            "admin": cls.env.ref("base.user_admin"),
            # may read the record, not write it: the message is theirs
            "author": mail_new_test_user(cls.env, login="matrix_author", name="Ann Author", **internal),
            # may write the record (posting needs it)
            "editor": cls.user_employee,
            "reader": mail_new_test_user(cls.env, login="matrix_reader", name="Rita Reader", **internal),
            # the company rule hides the record
            "outsider": mail_new_test_user(
                cls.env,
                login="matrix_outsider",
                groups="base.group_user",
                name="Oscar Outsider",
                company_id=other_company.id,
                company_ids=[(6, 0, other_company.ids)],
            ),
            "portal": mail_new_test_user(cls.env, login="matrix_portal", groups="base.group_portal", name="Paula"),
            "public": cls.env.ref("base.public_user"),
        }
        cls.passwords = {"admin": "admin", "editor": "tracking_employee"}
        cls.user_employee.password = "tracking_employee"

    def setUp(self):
        super().setUp()
        self.start_smtp()
        # the portal user is a recipient: it reads the message, not its trackings
        self.message = self.post(self.alice | self.bob | self.users["portal"].partner_id, subject="Matrix subject")
        self.send_queue()
        self.message.sudo().author_id = self.users["author"].partner_id
        # the editor and the reader were notified: the message is in their Failed box
        self.env["mail.notification"].create(
            [
                {"mail_message_id": self.message.id, "res_partner_id": user.partner_id.id, "notification_type": "inbox"}
                for user in (self.users["editor"], self.users["reader"])
            ]
        )
        self.bounced = self.tracking_of(self.message, self.alice)
        self.bounced.event_create("hard_bounce", {"bounce_description": "550 unknown user"})
        self.opened = self.tracking_of(self.message, self.bob)
        self.opened.event_create("open", {"ip": "203.0.113.7", "user_agent": "Thunderbird"})
        self.open_event = self.opened.tracking_event_ids.filtered(lambda event: event.event_type == "open")
        self.assertTrue(self.message.mail_tracking_needs_action)
        self.assertTrue(self.open_event)
        self.env.flush_all()

    # ------------------------------------------------------------
    # The table
    # ------------------------------------------------------------

    def test_access_matrix(self):
        self.called = set()
        for cell, expected in MATRIX.items():
            check = getattr(self, "cell_" + cell.replace(" ", "_"))
            for user_key, letter in zip(USERS, expected, strict=True):
                with self.subTest(cell=cell, user=user_key), closing(self.env.cr.savepoint()):
                    outcome = check(user_key)
                    self.assertEqual(outcome, letter == "Y", f"{cell} as {user_key}")
                self.env.invalidate_all()
        # the table is the addon's: every route a signed-in user calls, and
        # every method of its own a client may call, has its cell
        uncovered = {
            "routes": sorted(addon_user_routes() - self.called),
            "methods": sorted(addon_public_methods(self.env) - self.called),
        }
        self.assertEqual(uncovered, {"routes": [], "methods": []}, "without a cell in the table")

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def as_user(self, user_key, model):
        return self.env[model].with_user(self.users[user_key])

    def attempt(self, operation):
        """The result of ``operation``, or ``DENIED`` if it raised AccessError."""
        try:
            return operation()
        except AccessError:
            return DENIED

    def allowed(self, operation):
        """Whether ``operation`` runs without AccessError."""
        try:
            operation()
        except AccessError:
            return False
        self.env.flush_all()
        return True

    def contact(self, user_key):
        """The contact whose fields the user reads: Alice for internal users
        (every one of them may read her), their own for the others."""
        user = self.users[user_key]
        return self.alice.with_user(user) if not user.share else user.partner_id.with_user(user)

    def rpc(self, user_key, route, params):
        """``(result, error)`` of a JSON-RPC call as the user over HTTP;
        the answer is always a 200 with a JSON body, never a server error."""
        if user_key == "public":
            self.authenticate(None, None)
        else:
            login = self.users[user_key].login
            self.authenticate(login, self.passwords.get(user_key, login))
        self.called.add(route)
        response = self.url_open(
            route, json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}, timeout=30
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        body = response.json()
        self.env.invalidate_all()
        error = body.get("error")
        if error:
            self.assertIn(
                error["data"]["name"],
                ("odoo.exceptions.AccessError", "odoo.http.SessionExpiredException"),
                error["data"]["message"],
            )
        return body.get("result"), error

    def call_kw(self, user_key, model, method, args):
        self.called.add(f"{model}.{method}")
        return self.rpc(
            user_key,
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": {}},
        )

    # ------------------------------------------------------------
    # Cells: each answers whether the user got the data / did the action
    # ------------------------------------------------------------

    def cell_tracking_search(self, user_key):
        found = self.attempt(lambda: self.as_user(user_key, "mail.tracking.email").search([]))
        return found is not DENIED and self.opened in found

    def cell_tracking_read_subject(self, user_key):
        result = self.attempt(lambda: self.opened.with_user(self.users[user_key]).read(["name"]))
        return result is not DENIED and result[0]["name"] == "Matrix subject"

    def cell_tracking_read_group(self, user_key):
        Tracking = self.as_user(user_key, "mail.tracking.email")
        groups = self.attempt(lambda: Tracking.read_group([("id", "=", self.opened.id)], ["state"], ["state"]))
        return groups is not DENIED and [group["state_count"] for group in groups] == [1]

    def cell_tracking_read_token(self, user_key):
        result = self.attempt(lambda: self.opened.with_user(self.users[user_key]).read(["token"]))
        return result is not DENIED and result[0]["token"] == self.opened.sudo().token

    def cell_tracking_write(self, user_key):
        done = self.allowed(lambda: self.opened.with_user(self.users[user_key]).write({"bounce_type": "forged"}))
        self.assertEqual(done, self.opened.sudo().bounce_type == "forged")
        return done

    def cell_tracking_create(self, user_key):
        Tracking = self.as_user(user_key, "mail.tracking.email")
        return self.allowed(lambda: Tracking.create({"recipient": "forged@example.com"}))

    def cell_tracking_unlink(self, user_key):
        done = self.allowed(lambda: self.opened.with_user(self.users[user_key]).unlink())
        self.assertEqual(done, not self.opened.exists())
        return done

    def cell_event_search(self, user_key):
        found = self.attempt(lambda: self.as_user(user_key, "mail.tracking.event").search([]))
        return found is not DENIED and self.open_event in found

    def cell_event_read_ip(self, user_key):
        result = self.attempt(lambda: self.open_event.with_user(self.users[user_key]).read(["ip"]))
        return result is not DENIED and result[0]["ip"] == "203.0.113.7"

    def cell_event_read_group(self, user_key):
        Event = self.as_user(user_key, "mail.tracking.event")
        domain = [("id", "=", self.open_event.id)]
        groups = self.attempt(lambda: Event.read_group(domain, ["event_type"], ["event_type"]))
        return groups is not DENIED and [group["event_type_count"] for group in groups] == [1]

    def cell_event_write(self, user_key):
        done = self.allowed(lambda: self.open_event.with_user(self.users[user_key]).write({"ip": "6.6.6.6"}))
        self.assertEqual(done, self.open_event.sudo().ip == "6.6.6.6")
        return done

    def cell_event_create(self, user_key):
        Event = self.as_user(user_key, "mail.tracking.event")
        return self.allowed(lambda: Event.create({"tracking_email_id": self.opened.id, "event_type": "open"}))

    def cell_event_unlink(self, user_key):
        done = self.allowed(lambda: self.open_event.with_user(self.users[user_key]).unlink())
        self.assertEqual(done, not self.open_event.exists())
        return done

    def cell_partner_email_score(self, user_key):
        contact = self.contact(user_key)
        real = contact.sudo().email_score
        score = self.attempt(lambda: contact.email_score)
        if contact.sudo() == self.alice:
            self.assertLess(real, 50, "Alice's email bounced")
        return score is not DENIED and score == real

    def cell_partner_tracking_emails_count(self, user_key):
        contact = self.contact(user_key)
        real = contact.sudo().tracking_emails_count
        count = self.attempt(lambda: contact.tracking_emails_count)
        return count is not DENIED and count == real and count > 0

    def cell_partner_email_bounced(self, user_key):
        contact = self.contact(user_key)
        bounced = self.attempt(lambda: contact.read(["email_bounced"])[0]["email_bounced"])
        return bounced is not DENIED and bounced == contact.sudo().email_bounced

    def cell_rpc_email_score_from_email(self, user_key):
        result, error = self.call_kw(user_key, "mail.tracking.email", "email_score_from_email", ["alice@example.com"])
        self.assertEqual(result is None, bool(error))
        return not error and result < 50

    def cell_rpc_email_is_bounced(self, user_key):
        result, error = self.call_kw(user_key, "mail.tracking.email", "email_is_bounced", ["alice@example.com"])
        self.assertEqual(result is None, bool(error))
        return not error and result is True

    def cell_rpc_get_bounce_warnings(self, user_key):
        result, error = self.call_kw(user_key, "mail.tracking.email", "get_bounce_warnings", [["alice@example.com"]])
        return not error and "550 unknown user" in str(result)

    def cell_rpc_event_create(self, user_key):
        args = [[self.opened.id], "delivered", {}]
        _result, error = self.call_kw(user_key, "mail.tracking.email", "event_create", args)
        done = "delivered" in self.opened.sudo().tracking_event_ids.mapped("event_type")
        self.assertEqual(done, not error)
        return done

    def cell_rpc_action_view_tracking_emails(self, user_key):
        result, error = self.call_kw(user_key, "res.partner", "action_view_tracking_emails", [[self.alice.id]])
        return not error and result["res_model"] == "mail.tracking.email"

    def cell_rpc_action_clear_bounce(self, user_key):
        self.env.flush_all()
        line = self.env["mail.tracking.bounced.address"].search([("address", "=", "alice@example.com")])
        self.assertTrue(line)
        _result, error = self.call_kw(user_key, "mail.tracking.bounced.address", "action_clear_bounce", [line.ids])
        done = not self.alice.email_bounced and self.bounced.bounce_cleared
        self.assertEqual(done, not error)
        return done

    def cell_rpc_action_anonymize_tracking(self, user_key):
        # the lookup is the administrator's (a wizard is its creator's)
        Wizard = self.env["privacy.lookup.wizard"].with_user(self.users["admin"])
        wizard = Wizard.create({"name": "Alice", "email": "alice@example.com"})
        wizard.action_lookup()
        line = wizard.line_ids.filtered(
            lambda line: line.res_model == "mail.tracking.email" and line.res_id == self.bounced.id
        )
        self.assertTrue(line)
        args = [line.ids]
        _result, error = self.call_kw(user_key, "privacy.lookup.wizard.line", "action_anonymize_tracking", args)
        done = not self.bounced.recipient
        self.assertEqual(done, not error)
        return done

    def cell_rpc_action_open_mailing_trace(self, user_key):
        args = [[self.opened.id]]
        result, error = self.call_kw(user_key, "mail.tracking.email", "action_open_mailing_trace", args)
        return not error and result["res_model"] == "mailing.trace"

    def cell_route_statuses(self, user_key):
        result, error = self.rpc(user_key, "/mail/tracking/statuses", {"message_ids": [self.message.id]})
        messages = {message["id"]: message for message in (result or {}).get("mail.message", [])}
        return not error and bool(messages.get(self.message.id, {}).get("tracking_recipients"))

    def cell_route_details(self, user_key):
        result, error = self.rpc(user_key, "/mail/tracking/details", {"tracking_id": self.opened.id})
        return not error and bool(result) and result["name"] == "Matrix subject"

    def cell_route_failed_mailbox(self, user_key):
        result, error = self.rpc(user_key, "/mail/failed/messages", {"fetch_params": {"limit": 30}})
        return not error and self.message.id in result["messages"]

    def cell_route_thread_failed(self, user_key):
        params = {"thread_model": "res.partner", "thread_id": self.record.id}
        result, error = self.rpc(user_key, "/mail/tracking/thread_failed", params)
        return not error and self.message.id in result["messages"]

    def cell_route_failed_box_at_start(self, user_key):
        result, error = self.rpc(user_key, "/mail/data", {"fetch_params": ["init_messaging"]})
        return not error and "failed" in result.get("Store", {})

    def cell_offers_review_and_retry(self, user_key):
        result, error = self.rpc(user_key, "/mail/tracking/statuses", {"message_ids": [self.message.id]})
        messages = {message["id"]: message for message in (result or {}).get("mail.message", [])}
        return not error and messages.get(self.message.id, {}).get("tracking_can_act") is True

    def cell_action_review(self, user_key):
        _result, error = self.call_kw(user_key, "mail.message", "tracking_set_reviewed", [[self.message.id]])
        done = not self.message.mail_tracking_needs_action
        self.assertEqual(done, not error)
        return done

    def cell_action_retry(self, user_key):
        _result, error = self.call_kw(user_key, "mail.message", "tracking_retry", [[self.message.id]])
        done = not self.bounced.state
        self.assertEqual(done, not error)
        return done

    def cell_action_review_all(self, user_key):
        _result, error = self.call_kw(user_key, "mail.message", "tracking_set_all_reviewed", [])
        self.assertEqual(bool(error), user_key in ("portal", "public"), "refused to all but internal users")
        return not self.message.mail_tracking_needs_action
