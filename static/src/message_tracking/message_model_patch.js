import { Message } from "@mail/core/common/message_model";
import { fields } from "@mail/core/common/record";

import { patch } from "@web/core/utils/patch";

/** Raw tracking states of a failed email (see mail.tracking.email). */
export const FAILED_STATES = ["error", "rejected", "spam", "bounced", "soft-bounced"];

/** @type {import("models").Message} */
const messagePatch = {
    setup() {
        super.setup(...arguments);
        /**
         * One entry per recipient of the emails of this message, as the server
         * sends them: { tracking_id, partner_id, name, email, status, state,
         * error }. Replaced as a whole on each update (bus or fetch), which
         * re-renders the status icons.
         *
         * @type {Object[]}
         */
        this.tracking_recipients = fields.Attr([]);
        /**
         * A failed tracking of this message needs an action of the current
         * user (authored or notified): the message is in the Failed mailbox.
         */
        this.is_failed_message = fields.Attr(false, {
            onUpdate() {
                this.onUpdateIsFailedMessage();
            },
        });
    },
    /** Hook for the Failed mailbox and the chatter's failed messages. */
    onUpdateIsFailedMessage() {},
    /** @returns {Object[]} the recipients whose email failed */
    get failedTrackingRecipients() {
        return (this.tracking_recipients || []).filter(
            (recipient) => recipient.status === "error" || FAILED_STATES.includes(recipient.state),
        );
    },
};
patch(Message.prototype, messagePatch);
