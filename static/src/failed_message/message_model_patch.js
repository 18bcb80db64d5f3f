import { Message } from "@mail/core/common/message_model";

import { patch } from "@web/core/utils/patch";

import "@mail_activity_tracking/message_tracking/message_model_patch";

/** @type {import("models").Message} */
const messagePatch = {
    /**
     * Sends the email again to the recipients whose email failed. The server
     * pushes the updated message (recipients back to waiting) on the bus.
     */
    async trackingRetry() {
        const failedIds = new Set(this.failedTrackingRecipients.map((r) => r.tracking_id));
        await this.store.env.services.orm.call("mail.message", "tracking_retry", [[this.id]]);
        if (!this.exists()) {
            return;
        }
        this.tracking_recipients = this.tracking_recipients.map((recipient) =>
            failedIds.has(recipient.tracking_id)
                ? { ...recipient, status: "waiting", state: false, error: false }
                : recipient,
        );
        this.onTrackingReviewed();
    },
    /** The failure was seen: the message leaves the Failed mailbox. */
    async trackingSetReviewed() {
        await this.store.env.services.orm.call("mail.message", "tracking_set_reviewed", [[this.id]]);
        if (this.exists()) {
            this.onTrackingReviewed();
        }
    },
    /**
     * Applies locally what the server did, without waiting for the bus: the
     * message is no longer failed. Counter: only when the bus has not already
     * brought the new value (the message would no longer be failed then).
     */
    onTrackingReviewed() {
        if (!this.is_failed_message) {
            return;
        }
        const failedBox = this.store.failed;
        if (failedBox && failedBox.counter > 0) {
            failedBox.counter--;
        }
        this.is_failed_message = false;
    },
};
patch(Message.prototype, messagePatch);
