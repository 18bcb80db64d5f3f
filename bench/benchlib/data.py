"""Data set-up through the ORM: users, records, posts, pixel URLs."""

from .core import PASSWORD
from .measure import median

# ----------------------------------------------------------------------------
# Data set-up through the ORM
# ----------------------------------------------------------------------------


def create_user(env, login, name, groups=("base.group_user", "base.group_partner_manager")):
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nosubscribe=True)
    field = "group_ids" if "group_ids" in Users._fields else "groups_id"
    return Users.create(
        {
            "name": name,
            "login": login,
            "email": f"{login}@bench.example.com",
            "password": PASSWORD,
            "notification_type": "email",
            field: [(6, 0, [env.ref(xmlid).id for xmlid in groups])],
        }
    )


def setup_mail(env, smtp_port):
    """Outgoing mail through the sink: one active mail server on 127.0.0.1."""
    env["ir.mail_server"].search([]).active = False
    env["ir.mail_server"].create(
        {"name": "Bench sink", "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_encryption": "none"}
    )
    env.company.email = "company@bench.example.com"
    env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:8069")


def setup_chatter(env, recipients=5, author_login="bench_author", domain="bench.example.com"):
    """(author user, recipient partners): the people of a chatter flow."""
    author = create_user(env, author_login, "Bench Author")
    partners = env["res.partner"].create(
        [{"name": f"Recipient {i}", "email": f"recipient{i}@{domain}"} for i in range(recipients)]
    )
    return author, partners


def create_record(env, name):
    """A record with a chatter and no follower (only the recipients we name
    get the emails)."""
    return (
        env["res.partner"]
        .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
        .create({"name": name, "email": f"{name.lower().replace(' ', '.')}@bench.example.com"})
    )


def post(record, author, partners, index):
    """A comment on ``record`` by ``author`` notifying ``partners`` by email,
    kept in the mail queue."""
    return (
        record.with_user(author)
        .with_context(mail_notify_force_send=False)
        .message_post(
            body=f"<p>Bench message {index}: hello, here is the quote you asked for.</p>",
            subject=f"Bench subject {index}",
            partner_ids=partners.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
    )


def send_queue(env):
    env["mail.mail"].sudo().search([("state", "=", "outgoing")]).send()


def post_and_send(env, record, author, partners, count):
    """Post ``count`` messages and send the queue; committed."""
    for index in range(count):
        post(record, author, partners, index)
    env.cr.commit()
    send_queue(env)
    env.cr.commit()


# ----------------------------------------------------------------------------
# Open pixel
# ----------------------------------------------------------------------------


def sent_an_hour_ago(trackings):
    """Date the send of ``trackings`` an hour back, and commit: the hits
    that follow (from other transactions) are people's opens, not a
    security gateway fetching the email as it is delivered (an open within
    seconds of the send is one)."""
    from odoo.tools import SQL

    trackings.env.cr.execute(
        SQL("UPDATE mail_tracking_email SET timestamp = timestamp - 3600 WHERE id IN %s", tuple(trackings.ids))
    )
    trackings.invalidate_recordset(["timestamp"])
    trackings.env.cr.commit()


def pixel_paths(env, trackings):
    """``{tracking id: URL path}``: the open pixel of each tracking as the
    addon writes it into emails (``_tracking_img``), else as its route reads it."""
    import html
    import re
    from urllib.parse import urlsplit

    paths = {}
    base_url = trackings.sudo()._tracking_img_base_url() or "http://localhost"
    for tracking in trackings.sudo():
        if hasattr(tracking, "_tracking_img"):
            match = re.search(r'src="([^"]+)"', str(tracking._tracking_img(base_url)))
            paths[tracking.id] = urlsplit(html.unescape(match.group(1))).path
        else:
            paths[tracking.id] = f"/mail/tracking/open/{env.cr.dbname}/{tracking.id}/{tracking.token}/blank.gif"
    return paths


def perf_summary(rows):
    """Medians of Odoo's perf info (queries, SQL ms, other ms) of logged requests."""
    if not rows:
        return None
    return {
        "queries": median([row[0] for row in rows]),
        "sql_ms": median([row[1] for row in rows]) * 1000,
        "other_ms": median([row[2] for row in rows]) * 1000,
        "count": len(rows),
    }
