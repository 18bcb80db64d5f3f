{
    "name": "Email activity tracking",
    "summary": "Follow every email sent from the chatter: sent, delivered, opened or failed",
    "version": "19.0.1.0.0",
    "category": "Productivity/Discuss",
    "license": "LGPL-3",
    "author": "mail_activity_tracking developers",
    "depends": ["mail"],
    "data": [],
    "installable": True,
}
