import { Message } from "@mail/core/common/message_model";
import { fields } from "@mail/core/common/record";

import { patch } from "@web/core/utils/patch";

/** @type {import("models").Message} */
const messagePatch = {
    setup() {
        super.setup(...arguments);
        /**
         * One entry per recipient of the emails of this message, as the server
         * sends them: { tracking_id, partner_id, name, email, status, state,
         * failed, error }; `status` picks the icon and `failed` tells a failed
         * email (both from the states defined in the server's tools/states.py). Replaced as a whole on each update (bus or fetch), which
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
                this.syncFailedMailbox();
                this.syncChatterFailedMessages();
            },
        });
        /**
         * The current user may retry or review this message's failed emails
         * (its author, a user who may edit its record, or an administrator):
         * the server refuses it to the others, so they are not offered.
         */
        this.tracking_can_act = fields.Attr(false);
    },
    /** @returns {Object[]} the recipients whose email failed */
    get failedTrackingRecipients() {
        return (this.tracking_recipients || []).filter((recipient) => recipient.failed);
    },
    /**
     * Keeps the Failed mailbox in line with the messages the server sends
     * (fetches and bus): a message that is no longer failed leaves it; a
     * message that newly failed joins it once the mailbox is loaded.
     */
    syncFailedMailbox() {
        const failedBox = this.store.failed;
        if (!failedBox) {
            return;
        }
        const inBox = failedBox.messages.some((message) => message.eq(this));
        if (!this.is_failed_message) {
            if (inBox) {
                failedBox.messages.delete(this);
            }
            return;
        }
        if (inBox || !failedBox.isLoaded || failedBox.status === "loading") {
            return;
        }
        // not before the oldest loaded one: older pages are fetched on scroll
        const oldest = failedBox.messages[0];
        if (failedBox.loadOlder && oldest && this.id < oldest.id) {
            return;
        }
        failedBox.messages.add(this);
        failedBox.messages.sort((m1, m2) => m1.id - m2.id);
    },
    /** A message that newly failed joins the failed block of its chatter. */
    syncChatterFailedMessages() {
        const thread = this.thread;
        if (this.is_failed_message && thread?.failedMessagesLoaded) {
            thread.failedMessages.add(this);
        }
    },
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
                ? { ...recipient, status: "waiting", state: false, failed: false, error: false }
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
