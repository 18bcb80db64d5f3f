import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { session } from "@web/session";

import { STATUS_TITLES } from "@mail_activity_tracking/../tests/seed_wording";
import { checkIconStep, fail, recipientSelector } from "@mail_activity_tracking/../tests/tours/recipient_steps";

/** Recipient name shown in the chatter => expected status. */
const RECIPIENTS = [
    ["Opal Opened", "opened"],
    ["Dean Delivered", "delivered"],
    ["Sam Sent", "sent"],
    ["Wanda Waiting", "waiting"],
    ["Erin Error", "error"],
    ["Nina Noemail", "noemail"],
    ["Uma Unknown", "unknown"],
    ["Carl Copy", "cc"],
    ["anon.recipient@example.com", "anonuser"],
];

/** Nothing from the outside world became markup in the popover. */
function checkEscaped() {
    const popover = document.querySelector(".o-mail-TrackingDetailsPopover");
    if (popover.querySelector("script, img, b")) {
        fail(`markup in the details popover: ${popover.innerHTML}`);
    }
    if (window.__tracking_xss) {
        fail("script of a tracking event ran");
    }
}

registry.category("web_tour.tours").add("mail_activity_tracking_status_icons", {
    steps: () => [
        {
            content: "The tracked message is in the chatter",
            trigger: ".o-mail-Message:contains(Tracked in the UI) .o-mail-Message-trackingTo:contains(To:)",
        },
        ...RECIPIENTS.map(([name, status]) => checkIconStep(name, status)),
        {
            content: "Nine recipients",
            trigger: ".o-mail-Message:contains(Tracked in the UI)",
            run() {
                const count = document.querySelectorAll(".o-mail-Message-trackingRecipient").length;
                if (count !== 9) {
                    fail(`${count} recipients shown instead of 9`);
                }
                const statuses = new Set(
                    [...document.querySelectorAll(".o-mail-TrackingStatus")].map((el) => el.dataset.status),
                );
                if (statuses.size !== 9) {
                    fail(`${statuses.size} different statuses instead of 9`);
                }
            },
        },
        {
            content: "Open the details of the opened email",
            trigger: `${recipientSelector("Opal Opened")} button.o-mail-TrackingStatus`,
            run: "click",
        },
        {
            content: "State",
            trigger: ".o-mail-TrackingDetailsPopover tr[data-field='state'] td:contains(Opened)",
        },
        {
            content: "Subject and recipient",
            trigger: ".o-mail-TrackingDetailsPopover-title:contains(Quotation for the UI)",
        },
        {
            content: "Sent event with its SMTP server",
            trigger: ".o-mail-TrackingDetailsPopover-event[data-event-type='sent'] td:contains(smtp.ui.example.com)",
        },
        {
            content: "Open event with IP and client, as text",
            trigger: ".o-mail-TrackingDetailsPopover-event[data-event-type='open'] td:contains(203.0.113.9)",
            run() {
                checkEscaped();
                const row = document.querySelector(".o-mail-TrackingDetailsPopover-event[data-event-type='open']");
                if (!row.textContent.includes("Thunderbird <img src=x onerror='window.__tracking_xss = 2'>")) {
                    fail(`client not shown as text: ${row.textContent}`);
                }
            },
        },
        {
            content: "Close the popover",
            trigger: `${recipientSelector("Opal Opened")} button.o-mail-TrackingStatus`,
            run: "click",
        },
        {
            trigger: "body:not(:has(.o-mail-TrackingDetailsPopover))",
        },
        {
            content: "Open the details of the email in error",
            trigger: `${recipientSelector("Erin Error")} button.o-mail-TrackingStatus`,
            run: "click",
        },
        {
            content: "Error text, escaped",
            trigger: ".o-mail-TrackingDetailsPopover tr[data-field='error'] td:contains(recipient_refused)",
            run() {
                checkEscaped();
                const cell = document.querySelector(".o-mail-TrackingDetailsPopover tr[data-field='error'] td");
                if (cell.textContent !== "recipient_refused: 550 <b>mailbox</b> unavailable") {
                    fail(`error shown as "${cell.textContent}"`);
                }
            },
        },
        {
            content: "SMTP server of the error",
            trigger: ".o-mail-TrackingDetailsPopover tr[data-field='smtp_server'] td:contains(smtp.ui.example.com)",
        },
        {
            content: "Close the popover",
            trigger: "body",
            run: "press Escape",
        },
        {
            content: "A recipient with a partner links to its contact",
            trigger: `${recipientSelector("Opal Opened")} a.o-mail-Message-trackingRecipientName`,
            run: "click",
        },
        {
            content: "The contact's form is open",
            trigger: ".o_form_view .o_field_widget[name='name'] input:value(Opal Opened)",
        },
        {
            content: "Back to the record",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button a:contains(Tracking UI Record)",
            run: "click",
        },
        {
            content: "A recipient without partner is no link",
            trigger: `${recipientSelector("anon.recipient@example.com")}:not(:has(a))`,
        },
    ],
});

registry.category("web_tour.tours").add("mail_activity_tracking_live_update", {
    steps: () => [
        {
            content: "Lisa's email is sent",
            trigger: `${recipientSelector("Lisa Live")} .o-mail-TrackingStatus[data-status='sent']`,
            async run() {
                window.__mail_activity_tracking_no_reload = true;
                // Lisa's mail client fetches the open pixel of her email
                const [tracking] = await rpc("/web/dataset/call_kw/mail.tracking.email/search_read", {
                    model: "mail.tracking.email",
                    method: "search_read",
                    args: [[["recipient_address", "=", "lisa.live@example.com"]]],
                    kwargs: { fields: ["token"] },
                });
                const response = await fetch(
                    `/mail/tracking/open/${encodeURIComponent(session.db)}/${tracking.id}/${tracking.token}/blank.gif`,
                );
                if (response.headers.get("Content-Type") !== "image/gif") {
                    fail("the pixel did not answer a GIF");
                }
            },
        },
        {
            content: "The icon turns to Opened, without reload",
            trigger: `${recipientSelector("Lisa Live")} .o-mail-TrackingStatus[data-status='opened'][title='${STATUS_TITLES.opened}']`,
            timeout: 20000,
        },
        {
            content: "Same page: no reload happened",
            trigger: ".o-mail-Message:contains(Watch me live)",
            run() {
                if (!window.__mail_activity_tracking_no_reload) {
                    fail("the page was reloaded");
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("mail_activity_tracking_chatter_failed", {
    steps: () => [
        {
            content: "The failed messages are at the top of the chatter",
            trigger:
                ".o-mail-Chatter-content > .o-mail-ChatterFailed:first-child .o-mail-ChatterFailed-title:contains(Failed messages)",
        },
        {
            trigger: ".o-mail-ChatterFailed .o-mail-ChatterFailed-message:contains(Another chatter failure)",
        },
        {
            content: "With the failed recipient and the reason",
            trigger:
                ".o-mail-ChatterFailed-message:contains(Chatter failure) .o-mail-FailedMessageActions-recipient:contains(Fred Failed):contains(550 5.1.1 mailbox unavailable)",
        },
        {
            content: "Set the first as reviewed",
            trigger:
                ".o-mail-ChatterFailed-message:contains(Chatter failure):not(:contains(Another)) .o-mail-FailedMessageActions-reviewed",
            run: "click",
        },
        {
            trigger:
                ".o-mail-ChatterFailed:not(:has(.o-mail-ChatterFailed-message:contains(Chatter failure):not(:contains(Another))))",
        },
        {
            content: "Retry the other",
            trigger:
                ".o-mail-ChatterFailed-message:contains(Another chatter failure) .o-mail-FailedMessageActions-retry",
            run: "click",
        },
        {
            content: "The block is gone",
            trigger: ".o-mail-Chatter-content:not(:has(.o-mail-ChatterFailed))",
        },
        {
            content: "The reviewed message stays in the chatter, its recipient in error",
            trigger: `.o-mail-Message:contains(Chatter failure):not(:contains(Another)) ${recipientSelector(
                "Fred Failed",
            )} .o-mail-TrackingStatus[data-status='error']`,
        },
        {
            content: "The retried one waits to be sent again",
            trigger: `.o-mail-Message:contains(Another chatter failure) ${recipientSelector(
                "Fred Failed",
            )} .o-mail-TrackingStatus[data-status='waiting']`,
        },
    ],
});
