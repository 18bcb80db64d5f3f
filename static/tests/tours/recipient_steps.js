import { STATUS_TITLES } from "@mail_activity_tracking/../tests/seed_wording";

export function fail(message) {
    throw new Error(message);
}

/**
 * A recipient under a chatter message, by the name shown.
 *
 * @param {string} name
 */
export function recipientSelector(name) {
    return `.o-mail-Message-trackingRecipient:has(.o-mail-Message-trackingRecipientName:contains(${JSON.stringify(
        name,
    )}))`;
}

/**
 * The step checking that the recipient ``name`` (within the message matched
 * by ``message``, if given) shows the icon of ``status`` with ``title`` as
 * tooltip and accessible label (the seeds' wording by default).
 */
export function checkIconStep(name, status, { title = STATUS_TITLES[status], message = "" } = {}) {
    return {
        content: `${name}: ${status} icon with the tooltip "${title}"`,
        trigger: `${message} ${recipientSelector(name)} .o-mail-TrackingStatus[data-status='${status}']`,
        run({ anchor: icon }) {
            for (const attribute of ["title", "aria-label"]) {
                if (icon.getAttribute(attribute) !== title) {
                    fail(`${name}: ${attribute} is "${icon.getAttribute(attribute)}", expected "${title}"`);
                }
            }
            if (!icon.querySelector("svg")) {
                fail(`${name}: no icon`);
            }
        },
    };
}
