{
    "name": "Email activity tracking",
    "summary": "Follow every email sent from the chatter: sent, delivered, opened or failed",
    "version": "19.0.1.1.0",
    "category": "Productivity/Discuss",
    "license": "LGPL-3",
    "author": "mail_activity_tracking developers",
    "depends": ["mail", "privacy_lookup"],
    "data": [
        "security/ir.model.access.csv",
        "security/mail_tracking_security.xml",
        "data/ir_cron.xml",
        "views/mail_tracking_email_views.xml",
        "views/mail_tracking_event_views.xml",
        "views/res_partner_views.xml",
        "views/ir_mail_server_views.xml",
        "views/res_config_settings_views.xml",
        "views/mail_tracking_deliverability_views.xml",
        "wizard/privacy_lookup_wizard_views.xml",
        "views/menus.xml",
        "views/res_config_settings_clicks_views.xml",
    ],
    "demo": ["data/mail_tracking_demo.xml"],
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_backend": [
            "mail_activity_tracking/static/src/**/*",
        ],
        "web.assets_unit_tests": [
            "mail_activity_tracking/static/tests/**/*",
            ("remove", "mail_activity_tracking/static/tests/tours/**/*"),
        ],
        "web.assets_tests": [
            "mail_activity_tracking/static/tests/seed_wording.js",
            "mail_activity_tracking/static/tests/tours/**/*",
        ],
    },
}
