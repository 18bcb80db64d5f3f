import { registry } from "@web/core/registry";

const REASON = "550 5.1.1 <b>User unknown</b> <img src=x onerror='window.__bounce_xss = 1'>";

function fail(message) {
    throw new Error(message);
}

/**
 * The warning next to ``name`` in ``container``: its text names the state,
 * the date and the reason, as text; nothing of the reason became markup.
 */
function checkWarning(container, name, expected) {
    return {
        content: `${name}: a warning next to the recipient`,
        trigger: `${container} .o_tag:contains(${JSON.stringify(name)}) .o-mail-BounceWarning`,
        run({ anchor: warning }) {
            const title = warning.getAttribute("title");
            for (const part of expected) {
                if (!title.includes(part)) {
                    fail(`${name}: warning "${title}" does not say "${part}"`);
                }
            }
            if (warning.getAttribute("aria-label") !== title) {
                fail(`${name}: aria-label differs from the title`);
            }
            if (document.querySelector(`${container} b, ${container} img[src='x']`)) {
                fail(`markup from a bounce reason in the composer: ${document.querySelector(container).innerHTML}`);
            }
            if (window.__bounce_xss) {
                fail("script of a bounce reason ran");
            }
        },
    };
}

function checkNoWarning(container, name) {
    return {
        content: `${name}: no warning`,
        trigger: `${container} .o_tag:contains(${JSON.stringify(name)})`,
        run({ anchor: tag }) {
            if (tag.querySelector(".o-mail-BounceWarning")) {
                fail(`${name} has a warning`);
            }
        },
    };
}

registry.category("web_tour.tours").add("mail_activity_tracking_bounce_warnings", {
    steps: () => [
        { trigger: ".o-mail-Chatter-sendMessage", run: "click" },
        checkWarning(".o-mail-RecipientsInput", "Bea Bounced", ["Bounced on", "2026", REASON]),
        {
            content: "Add a recipient the server refused as unknown",
            trigger: ".o-mail-RecipientsInput input",
            run: "edit Rex Refused",
        },
        { trigger: ".o-autocomplete--dropdown-item:contains('Rex Refused')", run: "click" },
        checkWarning(".o-mail-RecipientsInput", "Rex Refused", ["Error on", "550 5.1.1 Recipient address rejected"]),
        { trigger: ".o-mail-RecipientsInput input", run: "edit Gus Good" },
        { trigger: ".o-autocomplete--dropdown-item:contains('Gus Good')", run: "click" },
        checkNoWarning(".o-mail-RecipientsInput", "Gus Good"),
        {
            content: "Sending still works",
            trigger: ".o-mail-Composer-input",
            run: "edit Sent despite the warning",
        },
        { trigger: ".o-mail-Composer-send:enabled", run: "click" },
        { trigger: ".o-mail-Message-body:contains('Sent despite the warning')" },
        { trigger: ".o-mail-Chatter-sendMessage:not(.active)", run: "click" },
        { trigger: "[name='open-full-composer']", run: "click" },
        checkWarning(".o_field_widget[name='partner_ids']", "Bea Bounced", ["Bounced on", REASON]),
        {
            trigger: ".o-wysiwyg div[contenteditable='true']",
            run: "editor Sent from the full composer",
        },
        { trigger: ".o_mail_send[name='action_send_mail']", run: "click" },
        { trigger: ".o-mail-Message-body:contains('Sent from the full composer')" },
    ],
});
