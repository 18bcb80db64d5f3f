import { registry } from "@web/core/registry";

import { checkIconStep, fail } from "@mail_activity_tracking/../tests/tours/recipient_steps";

/** @param {string} text of the body, or of the subject of an email (its body is in a shadow root) */
function message(text) {
    return `.o-mail-Message:has(.o-mail-Message-body:contains(${JSON.stringify(text)}))`;
}

registry.category("web_tour.tours").add("mail_activity_tracking_untracked_statuses", {
    steps: () => [
        {
            content: "A note that notified Ines in her Odoo inbox: no email, no tracking",
            trigger: `${message("For Ines only")} .o-mail-Message-trackingTo`,
        },
        checkIconStep("Ines Inbox", "unknown", { message: message("For Ines only") }),
        {
            content: "An incoming email: its To and Cc addresses",
            trigger: `${message("Subject: About the offer")} .o-mail-Message-trackingTo`,
        },
        checkIconStep("Tom To", "anonuser", { message: message("Subject: About the offer") }),
        checkIconStep("Cora Cc", "cc", { message: message("Subject: About the offer") }),
        {
            content: "A message sent before the addon was installed",
            trigger: `${message("Sent before the addon")} .o-mail-Message-trackingTo`,
        },
        checkIconStep("Olaf Old", "unknown", { message: message("Sent before the addon") }),
        checkIconStep("Nora Noemail", "noemail", { message: message("Sent before the addon") }),
        {
            content: "No status is clickable: there are no details to show",
            trigger: message("Sent before the addon"),
            run() {
                if (
                    document.querySelector(
                        ".o-mail-Message-trackingRecipient[data-tracking-id]:not([data-tracking-id=''])",
                    )
                ) {
                    fail("a recipient without tracking has a tracking id");
                }
            },
        },
        {
            content: "A note to nobody has no recipient line",
            trigger: `${message("A note to nobody")}:not(:has(.o-mail-Message-trackingRecipients))`,
        },
        {
            content: "Log a note that mentions Ines",
            trigger: ".o-mail-Chatter-topbar button.o-mail-Chatter-logNote",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Posted now for @Ines",
        },
        {
            trigger: ".o-mail-Composer-suggestion:contains(Ines Inbox)",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input:value(/Ines Inbox/)",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The note just posted shows Ines at once",
            trigger: `${message("Posted now for")} .o-mail-Message-trackingTo`,
        },
        checkIconStep("Ines Inbox", "unknown", { message: message("Posted now for") }),
    ],
});
